#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('meshtax: dist/ is missing; run `npm ci` (or `npm run build`) in the meshtax checkout first.');
  process.exit(1);
}
await import(entry.href);
