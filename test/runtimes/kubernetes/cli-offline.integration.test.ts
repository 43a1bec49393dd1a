import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readRun, runCli, tempDir } from '../../helpers/cli.ts';
import { refusedPort } from '../../helpers/servers.ts';

/** What the Kubernetes commands do before, or without, reaching a cluster. */
describe('Kubernetes commands without a cluster', () => {
  it('render prints every manifest of every mode as YAML, code included', async () => {
    const result = await runCli(['render', 'scenarios/pilot-kubernetes.yaml', '--run-id', '20261201-120000-ab12']);
    expect(result.code).toBe(0);
    const docs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string> });
    const modes = ['baseline', 'baseline-aa', 'linkerd', 'istio-sidecar', 'istio-ambient', 'istio-waypoint'];
    expect(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)).toEqual(modes.map((m) => `meshtax-20261201-120000-ab12-${m}`));
    expect(docs.filter((d) => d.kind === 'Gateway')).toHaveLength(1);
    expect(docs.filter((d) => d.kind === 'Pod')).toHaveLength(modes.length);
    const code = docs.find((d) => d.kind === 'ConfigMap')?.data ?? {};
    expect(Object.keys(code).sort()).toEqual(['echo.js', 'loadgen.js', 'pacer-thread.js', 'package.json', 'prober.js', 'worker.js']);
    expect(code['loadgen.js']!.length).toBeGreaterThan(10_000);
  });

  it('render --mode shows one mode, and refuses a mode the runtime lacks or a local scenario', async () => {
    const one = await runCli(['render', 'scenarios/pilot-kubernetes.yaml', '--mode', 'linkerd']);
    expect(one.code).toBe(0);
    expect(parseAllDocuments(one.stdout).filter((d) => (d.toJS() as { kind: string }).kind === 'Namespace')).toHaveLength(1);
    const bogus = await runCli(['render', 'scenarios/pilot-kubernetes.yaml', '--mode', 'sidecar']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('--mode sidecar is not a Kubernetes mode');
    const local = await runCli(['render', 'scenarios/quickstart.yaml']);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('uses runtime local');
  });

  it('validate refuses a local mode on the Kubernetes runtime with file:line', async () => {
    const result = await runCli(['validate', 'scenarios/kubernetes/linkerd.yaml', '--set', 'modes=[baseline, sidecar]']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mode 'sidecar' is not offered by the kubernetes runtime; it offers: baseline, baseline-aa, linkerd, istio-sidecar, istio-ambient, istio-waypoint/);
  });

  it('cleanup needs --run-id or --all', async () => {
    const result = await runCli(['cleanup']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cleanup needs --run-id ID or --all');
  });

  it('run refuses an unknown context as invalid input (exit 2) before anything starts, naming the contexts there are', async () => {
    const dir = tempDir();
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: only, context: {cluster: c, user: u}}]\ncurrent-context: only\n',
    );
    const out = path.join(dir, 'out');
    // A name YAML would read as a number stays the string it is.
    const result = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--context', '1.30', '--out', out], undefined, { KUBECONFIG: kubeconfig });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("meshtax: kubeconfig context '1.30' does not exist; the kubeconfig has only\n");
    expect(existsSync(out)).toBe(false);
    const doctor = await runCli(['doctor', '--runtime', 'kubernetes', '--context', 'nope'], undefined, { KUBECONFIG: kubeconfig });
    expect(doctor.code).toBe(2);
    expect(doctor.stderr).toBe("meshtax: kubeconfig context 'nope' does not exist; the kubeconfig has only\n");
  });

  it('run says when the API server cannot be reached, and has nothing to clean up', async () => {
    const dir = tempDir();
    const kubeconfig = path.join(dir, 'kubeconfig');
    // A loopback port nothing listens on: the connection is refused at once.
    const port = await refusedPort();
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: only, context: {cluster: c, user: u}}]\ncurrent-context: only\n`,
    );
    const out = path.join(dir, 'out');
    const result = await runCli(['run', 'scenarios/kubernetes/baseline.yaml', '--out', out], undefined, { KUBECONFIG: kubeconfig });
    expect(result.code).toBe(1);
    expect(readRun(out).run.error).toBe(`reaching the API server at https://127.0.0.1:${port} (context only): fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`);
  });
});

