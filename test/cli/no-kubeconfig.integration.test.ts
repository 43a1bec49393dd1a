import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.ts';

/**
 * With neither $KUBECONFIG nor ~/.kube/config (and not inside a pod), @kubernetes/client-node falls back to a
 * context named loaded-context at http://localhost:8080 (dist/config.js, loadFromDefault). meshtax says what is
 * missing instead. An empty KUBECONFIG counts as unset there (its length is checked), and HOME points at an empty
 * directory, so ~/.kube/config does not exist.
 */
const noKubeconfig = (): NodeJS.ProcessEnv => ({ KUBECONFIG: '', HOME: tempDir() });
const MESSAGE = 'meshtax: no kubeconfig found (looked at $KUBECONFIG and ~/.kube/config); create one (kind create cluster writes it) or set KUBECONFIG\n';

describe('no kubeconfig at all', () => {
  for (const args of [
    ['cleanup', '--all'],
    ['doctor', '--runtime', 'kubernetes'],
  ]) {
    it(`meshtax ${args.join(' ')} exits 2 and says which files it looked at`, async () => {
      const result = await runCli(args, undefined, noKubeconfig());
      expect(result.stderr).toBe(MESSAGE);
      expect(result.stderr).not.toMatch(/localhost:8080|loaded-context/);
      expect(result.code).toBe(2);
    });
  }

  it('meshtax run says the same in its failure, not the fallback server', async () => {
    const result = await runCli(['run', 'scenarios/pilot-kubernetes.yaml', '--out', tempDir()], undefined, noKubeconfig());
    expect(`${result.stdout}${result.stderr}`).toContain('no kubeconfig found (looked at $KUBECONFIG and ~/.kube/config)');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/localhost:8080|loaded-context/);
  });

  it('names the files of a KUBECONFIG none of which exists', async () => {
    const missing = `${tempDir()}/nope.yaml`;
    const result = await runCli(['cleanup', '--all'], undefined, { KUBECONFIG: missing, HOME: tempDir() });
    expect(result.stderr).toBe(`meshtax: no kubeconfig found (looked at $KUBECONFIG=${missing}); create one (kind create cluster writes it) or set KUBECONFIG\n`);
    expect(result.code).toBe(2);
  });
});
