import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/runtimes/check.ts';
import { runCli } from '../helpers/cli.ts';

describe('meshtax doctor', () => {
  it('reports the proxies with their versions and what the machine allows, as JSON', async () => {
    const result = await runCli(['doctor', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { runtime, checks } = JSON.parse(result.stdout) as { runtime: string; checks: Check[] };
    expect(runtime).toBe('local');
    const byName = new Map(checks.map((check) => [check.name, check]));
    const haproxyVersion = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).match(/version (\S+)/)?.[1];
    expect(byName.get('haproxy')).toMatchObject({ status: 'ok' });
    expect(byName.get('haproxy')!.detail).toContain(`HAProxy ${haproxyVersion}`);
    expect(byName.get('built-in proxy')!.detail).toMatch(/^meshtax \S+ on Node v\d+/);
    expect(byName.get('node')!.status).toBe('ok');
    for (const name of ['cpu cores', 'machine load', 'cpu frequency', 'memory accounting', 'network namespaces', 'iptables']) {
      expect(byName.has(name), name).toBe(true);
    }
    // The namespace probe cleans up after itself.
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain('meshtax-doctor');
  });

  it('prints a table with hints for warnings', async () => {
    const result = await runCli(['doctor']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ haproxy +│ ok/);
  });

  it('exits 2 for a runtime it does not know', async () => {
    const result = await runCli(['doctor', '--runtime', 'nomad']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/argument 'nomad' is invalid\. Allowed choices are local, kubernetes/);
  });

  it('exits 2 with the reason when --runtime kubernetes finds no kubeconfig (invalid input: nothing to connect to)', async () => {
    const result = await runCli(['doctor', '--runtime', 'kubernetes'], undefined, { KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('meshtax: no kubeconfig found (looked at $KUBECONFIG=/nonexistent/kubeconfig); create one (kind create cluster writes it) or set KUBECONFIG\n');
  });
});
