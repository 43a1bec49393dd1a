#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script). No top-level
// await and nothing but the version check before the Node version is known to be one meshtax runs on.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.version, process.execPath);
if (problem !== null) {
  console.error(problem);
  process.exit(2);
}
// --version alone is answered from package.json without loading the CLI: the command definitions import some 800
// modules, which took longer than everything else --version does.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('meshtax: dist/ is missing; run `npm ci` (or `npm run build`) in the meshtax checkout first.');
  process.exit(1);
}
import(entry.href);
