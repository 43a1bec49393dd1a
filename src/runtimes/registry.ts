import type { LoadedScenario } from '../scenario/load.ts';
import { ScenarioError, type Problem } from '../scenario/errors.ts';
import { netnsProblems, type HostProbe } from './local/netns/requirements.ts';
import { kubernetesRuntime } from './kubernetes/runtime.ts';
import { localRuntime } from './local/runtime.ts';
import type { RuntimeFactory } from './types.ts';

/** Every runtime meshtax can run on, by the name a scenario's `runtime:` uses. */
const runtimes: Record<string, RuntimeFactory> = {
  local: localRuntime,
  kubernetes: kubernetesRuntime,
};

/**
 * The runtime factory for a scenario, after checking that its modes exist there and that this host can give it
 * what it asks for (local.isolation: netns needs root on Linux with iproute2 and iptables); errors carry file:line.
 * `probe` stands in for the host in tests.
 */
export function runtimeFor(loaded: LoadedScenario, probe?: HostProbe): RuntimeFactory {
  const { scenario } = loaded;
  const factory = runtimes[scenario.runtime];
  if (!factory) {
    throw new ScenarioError([
      {
        ...loaded.where(['runtime']),
        message: `runtime '${scenario.runtime}' is not available in this version of meshtax; available: ${Object.keys(runtimes).join(', ')}`,
        hint: 'use runtime: local',
      },
    ]);
  }
  const problems: Problem[] = [];
  scenario.modes.forEach((mode, index) => {
    if (!factory.modes.includes(mode)) {
      problems.push({
        ...loaded.where(['modes', index]),
        message: `mode '${mode}' is not offered by the ${factory.name} runtime; it offers: ${factory.modes.join(', ')}`,
      });
    }
  });
  if (scenario.load.noiseFloor && !scenario.modes.includes('baseline')) {
    problems.push({
      ...loaded.where(['load', 'noiseFloor']),
      message: 'a noise floor compares baseline with a second baseline, but modes has no baseline',
      hint: 'add baseline to modes or set load.noiseFloor: false',
    });
  }
  problems.push(...netnsProblems(loaded, probe));
  if (problems.length > 0) throw new ScenarioError(problems);
  return factory;
}
