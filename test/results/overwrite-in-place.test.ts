import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { overwriteInPlaceSync, WriteError } from '../../src/results/atomic-write.ts';

const fileWith = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'meshtax-overwrite-')), 'run.json');
  writeFileSync(file, text);
  return file;
};

it('replaces a file with a shorter text in its own blocks, leaving nothing of the old text', () => {
  const file = fileWith(`${JSON.stringify({ status: 'running', phases: [1, 2, 3] }, null, 2)}\n`);
  overwriteInPlaceSync(file, '{"status":"failed"}\n');
  expect(readFileSync(file, 'utf8')).toBe('{"status":"failed"}\n');
});

it('refuses a text longer than the file before writing a byte, so the file stays whole', () => {
  const old = '{"status":"running"}\n';
  const file = fileWith(old);
  expect(() => overwriteInPlaceSync(file, `{"status":"failed","error":"${'x'.repeat(100)}"}\n`)).toThrow(WriteError);
  expect(readFileSync(file, 'utf8')).toBe(old);
});
