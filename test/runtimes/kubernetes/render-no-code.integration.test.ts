import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { codeDigest, loadCodeBundle } from '../../../src/runtimes/kubernetes/code-bundle.ts';
import { runCli } from '../../helpers/cli.ts';
import { RUN_ID_SOURCE } from '../../../src/results/run-id.ts';

const RENDER = ['render', 'scenarios/pilot-kubernetes.yaml', '--run-id', '20261201-120000-ab12'];
type Doc = { kind: string; metadata: { name: string; namespace?: string } };
const objects = (yaml: string): Doc[] => parseAllDocuments(yaml).map((doc) => doc.toJS() as Doc | null).filter((doc): doc is Doc => doc !== null);

describe('meshtax render for GitOps', () => {
  it('--no-code replaces each code ConfigMap with a comment naming its digest, and keeps every other object', async () => {
    const [full, lean] = await Promise.all([runCli(RENDER), runCli([...RENDER, '--no-code'])]);
    expect(full.code, full.stderr).toBe(0);
    expect(lean.code, lean.stderr).toBe(0);
    const modes = ['baseline', 'baseline-aa', 'linkerd', 'istio-sidecar', 'istio-ambient', 'istio-waypoint'];
    expect(objects(full.stdout).filter((doc) => doc.kind === 'ConfigMap')).toHaveLength(modes.length);
    expect(objects(lean.stdout)).toEqual(objects(full.stdout).filter((doc) => doc.kind !== 'ConfigMap'));
    const digest = codeDigest(loadCodeBundle());
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const mode of modes) {
      expect(lean.stdout).toContain(`# ConfigMap meshtax-20261201-120000-ab12-${mode}/meshtax-code left out (--no-code)`);
    }
    expect(lean.stdout.split(digest)).toHaveLength(modes.length + 1);
    // Six copies of the bundled code are what made the full output megabytes long.
    expect(full.stdout.length).toBeGreaterThan(6 * 100_000);
    expect(lean.stdout.length).toBeLessThan(100_000);
  });

  it('the digest changes when the code does', () => {
    const code = loadCodeBundle();
    expect(codeDigest({ ...code, 'echo.js': `${code['echo.js']} ` })).not.toBe(codeDigest(code));
  });

  it('the same --run-id renders the same bytes, so a GitOps diff shows only real changes', async () => {
    const [first, second] = await Promise.all([runCli([...RENDER, '--no-code']), runCli([...RENDER, '--no-code'])]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).not.toMatch(new RegExp(`meshtax-(?!20261201-120000-ab12)${RUN_ID_SOURCE}`));
  });
});
