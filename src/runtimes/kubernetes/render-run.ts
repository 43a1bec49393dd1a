import type { KubernetesObject } from '@kubernetes/client-node';
import { phaseSpec } from '../../pipeline/run.ts';
import { planPhases } from '../../pipeline/plan.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { CodeBundle } from './code-bundle.ts';
import { shardSpecs } from './generator/shards.ts';
import type { RenderContext } from './manifests/context.ts';
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
    const context: RenderContext = {
      runId,
      mode,
      settings,
      payloadBytes: scenario.workload.payloadBytes,
      responseDelayMs: scenario.workload.responseDelay,
      protocol: scenario.load.protocol,
      code,
      ...(settings.placement.server.node ? { serverNode: settings.placement.server.node } : {}),
      ...(settings.placement.client.node ? { clientNode: settings.placement.client.node } : {}),
    };
    objects.push(...renderMode(context));
    if (first) {
      const spec = phaseSpec(scenario, { ...first, mode }, targetUrl());
      const shards = shardSpecs(spec, settings.generator.maxRatePerPod);
      shards.forEach((shard, index) => objects.push(generatorPod(context, '1', index, { spec: shard, startAtMs: 0, targetWaitMs: 60_000 })));
    }
  }
  return objects;
}
