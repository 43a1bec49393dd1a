import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- bin/ is plain JavaScript without types, so that any Node parses it
import { nodeVersionProblem, SUPPORTED_NODE } from '../../bin/node-version.js';
import { BIN, runCli } from '../helpers/cli.ts';

const check = nodeVersionProblem as (version: string, execPath: string) => string | null;

describe('the Node.js version check of bin/meshtax.js', () => {
  it('implements package.json engines.node', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { engines: { node: string } };
    expect(SUPPORTED_NODE).toBe(pkg.engines.node);
  });

  it('accepts ^22.19.0 and >=24, rejects everything else with what to do', () => {
    for (const ok of ['v22.19.0', 'v22.20.1', 'v24.0.0', 'v24.21.0', 'v26.1.0']) expect(check(ok, '/x/node'), ok).toBeNull();
    for (const old of ['v18.20.4', 'v20.20.2', 'v22.12.0', 'v22.18.9', 'v23.11.1', 'nonsense']) {
      const problem = check(old, '/usr/bin/node');
      expect(problem, old).toContain(`this is Node.js ${old} (/usr/bin/node)`);
      expect(problem).toContain('npx meshtax');
      expect(problem).toContain('install Node.js 24');
    }
  });

  it('stops the CLI with exit 2 before anything loads when Node is too old', async () => {
    // The launcher asks process.version; a preloaded module makes this (new) Node report an old one.
    const fake = 'data:text/javascript,Object.defineProperty(process,"version",{value:"v20.20.2"})';
    const result = spawnSync(process.execPath, ['--import', fake, BIN, '--version'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^meshtax needs Node\.js 22\.19 or a later 22\.x, or 24 or later; this is Node\.js v20\.20\.2 \(/);
  });

  it('runs on the Node the tests run on', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
