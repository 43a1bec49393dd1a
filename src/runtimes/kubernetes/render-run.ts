import type { KubernetesObject } from '@kubernetes/client-node';
import { phaseSpec, planPhases } from '../../scenario/plan.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { CodeBundle } from './code-bundle.ts';
import { shardSpecs } from './generator/shards.ts';
import { modeContext } from './manifests/context.ts';
import { chainPath } from './manifests/chain.ts';
import { generatorPod } from './manifests/generator.ts';
import { renderMode } from './manifests/render.ts';
import { targetUrl } from './manifests/workload.ts';
import type { KubernetesMode } from './modes.ts';

/**
 * Every manifest a run applies for the given modes, as `meshtax render` prints it: the mode's namespace, code,
 * echo Deployment and Service (and waypoint), then the generator pods of the mode's first phase (run creates those
 * per phase). Nodes appear only where the scenario pins them by name; otherwise run chooses them.
 */
export function renderRun(scenario: Scenario, runId: string, modes: readonly KubernetesMode[], code: CodeBundle): KubernetesObject[] {
  const settings = scenario.kubernetes;
  const first = planPhases(scenario)[0];
  const objects: KubernetesObject[] = [];
  for (const mode of modes) {
    const context = modeContext(scenario, runId, mode, code, { serverNode: settings.placement.server.node, clientNode: settings.placement.client.node });
    objects.push(...renderMode(context));
    if (first) {
      // With a call chain, the first phase's path (depth 1: it enters at the last service).
      const path = chainPath(scenario.workload, first.depth);
      const spec = phaseSpec(scenario, { ...first, mode }, path?.url ?? targetUrl());
      const shards = shardSpecs(spec, settings.generator.maxRatePerPod);
      const side = path?.generatorOnServer ? 'server' : 'client';
      shards.forEach((shard, index) => objects.push(generatorPod(context, '1', index, { spec: shard, startAtMs: 0, targetWaitMs: 60_000 }, side)));
    }
  }
  return objects;
}
