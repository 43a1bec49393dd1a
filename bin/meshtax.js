#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script). No top-level
// await and nothing but the version check before the Node version is known to be one meshtax runs on.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.version, process.execPath);
if (problem !== null) {
  console.error(problem);
  process.exit(2);
}
const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('meshtax: dist/ is missing; run `npm ci` (or `npm run build`) in the meshtax checkout first.');
  process.exit(1);
}
import(entry.href);
