import { loadScenarioText } from '../../../src/scenario/load.ts';
import type { Scenario } from '../../../src/scenario/schema.ts';
import type { RenderContext } from '../../../src/runtimes/kubernetes/manifests/context.ts';
import type { KubernetesMode } from '../../../src/runtimes/kubernetes/modes.ts';

export const RUN_ID = '20261201-120000-ab12';
export const FAKE_CODE = { 'echo.js': '// echo', 'loadgen.js': '// loadgen', 'prober.js': '// prober', 'worker.js': '// worker', 'pacer-thread.js': '// pacer', 'package.json': '{"type":"module"}' };

/** A Kubernetes scenario, parsed as run parses it; `extra` is YAML appended at the top level. */
export function kubeScenario(modes: readonly string[], extra = ''): Scenario {
  const text = `apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: {name: k8s-test}\nruntime: kubernetes\nmodes: [${modes.join(', ')}]\n${extra}`;
  return loadScenarioText(text, 'k8s-test.yaml').scenario;
}

export function renderContext(mode: KubernetesMode, scenario = kubeScenario([mode]), nodes: { server?: string; client?: string } = {}): RenderContext {
  return {
    runId: RUN_ID,
    mode,
    settings: scenario.kubernetes,
    workload: scenario.workload,
    code: FAKE_CODE,
    ...(nodes.server ? { serverNode: nodes.server } : {}),
    ...(nodes.client ? { clientNode: nodes.client } : {}),
  };
}
