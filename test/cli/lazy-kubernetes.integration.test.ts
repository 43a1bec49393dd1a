import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.ts';

/**
 * A module hook (node:module registerHooks) that writes every module URL the process resolves to a file at exit,
 * so a test can see what a command loaded without timing it.
 */
const HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); seen.add(result.url); return result; } });
process.on('exit', () => writeFileSync(process.env.MESHTAX_TEST_MODULES, [...seen].join('\\n')));
`;

function modulesLoadedBy(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; modules: string[] } {
  const dir = tempDir();
  const hook = path.join(dir, 'hook.mjs');
  const list = path.join(dir, 'modules.txt');
  writeFileSync(hook, HOOK);
  const result = spawnSync(process.execPath, ['--import', hook, BIN, ...args], { env: { ...process.env, ...env, MESHTAX_TEST_MODULES: list }, encoding: 'utf8' });
  return { code: result.status, modules: readFileSync(list, 'utf8').split('\n') };
}

const kubernetesClient = (modules: readonly string[]) => modules.filter((url) => url.includes('@kubernetes/client-node'));

describe('the Kubernetes client loads only for commands that talk to a cluster', () => {
  it.each([
    [['validate', 'scenarios/quickstart.yaml']],
    [['validate', 'scenarios/kubernetes/baseline.yaml']],
    [['--help']],
  ])('%j does not import @kubernetes/client-node', (args) => {
    const { code, modules } = modulesLoadedBy(args);
    expect(code).toBe(0);
    // The hook saw the CLI's own modules, so an empty answer below is not a hook that saw nothing.
    expect(modules.some((url) => url.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(kubernetesClient(modules)).toEqual([]);
  });

  it('--version is answered from package.json, loading none of the CLI', () => {
    const { code, modules } = modulesLoadedBy(['--version']);
    expect(code).toBe(0);
    expect(modules.some((url) => url.endsWith('/bin/node-version.js'))).toBe(true);
    expect(modules.filter((url) => url.includes('/dist/') || url.includes('/node_modules/'))).toEqual([]);
    const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).stdout;
    expect(version).toBe(`${(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('cleanup, which talks to a cluster, does import it (and says what is missing without one)', () => {
    const dir = tempDir();
    const { code, modules } = modulesLoadedBy(['cleanup', '--all'], { KUBECONFIG: path.join(dir, 'none'), HOME: dir });
    expect(code).not.toBe(0);
    expect(kubernetesClient(modules).length).toBeGreaterThan(0);
  });
});
