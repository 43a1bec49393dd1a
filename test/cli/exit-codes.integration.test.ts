import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { runCli, tempDir } from '../helpers/cli.ts';

describe('meshtax exit codes and help', () => {
  it('prints help for every command and exits 0', async () => {
    for (const args of [['--help'], ['run', '--help'], ['load', '--help'], ['validate', '--help']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: meshtax/);
      expect(result.stdout).toMatch(/130 +interrupted/);
    }
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['run', '--no-such-flag'])).code).toBe(2);
  });

  it('exits 2 with file:line:col for a malformed scenario and leaves nothing behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      ['apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: bad }', 'load:', '  durration: 5s', ''].join('\n'),
    );
    const out = path.join(dir, 'out');
    const result = await runCli(['run', file, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5:3`);
    expect(result.stderr).toMatch(/did you mean 'duration'/);
    expect(() => readdirSync(out)).toThrow(/ENOENT/);
  });

  it('exits 2 for a mode the runtime does not offer, pointing at it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'modes.yaml');
    writeFileSync(
      file,
      ['apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: modes }', 'modes:', '  - baseline', '  - warp-drive', ''].join('\n'),
    );
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:6:5`);
    expect(result.stderr).toMatch(/mode 'warp-drive' is not offered by the local runtime/);
  });

  it('validate exits 0 for the quick start and says what it would run', async () => {
    const result = await runCli(['validate', 'scenarios/quickstart.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/valid — 15 phases on the local runtime/);
  });

  it('load exits 2 for bad flags and 1 when the target refuses', async () => {
    expect((await runCli(['load', 'ftp://127.0.0.1/', '--rate', '10'])).code).toBe(2);
    expect((await runCli(['load', 'http://127.0.0.1:1/', '--rate', '-5'])).code).toBe(2);
    expect((await runCli(['load', 'http://127.0.0.1:1/'])).stderr).toMatch(/--rate is required/);
    const refused = await runCli(['load', 'http://127.0.0.1:1/', '--rate', '10', '--duration', '1s', '--warmup', '0s']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ECONNREFUSED/);
  });
});
