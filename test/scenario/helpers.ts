import { type Problem, ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { runtimeFor } from '../../src/runtimes/registry.ts';

/** Joins lines into a YAML text, so that a test's line numbers can be read off its array. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Lines 1-4 of a valid scenario; tests append from line 5. */
export const HEAD = ['apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', 'metadata:', '  name: demo'];

/** The problems `load` reports; fails the test when it accepts the scenario. */
function problemsFrom(load: () => unknown): Problem[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('expected the scenario to be rejected, but it loaded');
}

/** The problems loading `text` (named test.yaml) reports; fails the test when it loads. */
export function problemsOf(text: string, sets: string[] = []): Problem[] {
  return problemsFrom(() => loadScenarioText(text, 'test.yaml', sets));
}

/** The problems loading `text` and choosing its runtime report (what validate and run check before starting). */
export function runtimeProblemsOf(text: string): Problem[] {
  const host = { platform: 'linux' as const, isRoot: () => true, hasNetworkCapabilities: () => true, runs: () => true };
  return problemsFrom(() => runtimeFor(loadScenarioText(text, 'test.yaml', []), host));
}

/** The problems loading the scenario file at `path` reports; fails the test when it loads. */
export async function problemsLoadingFile(path: string): Promise<Problem[]> {
  const error: unknown = await loadScenarioFile(path).catch((e: unknown) => e);
  if (error instanceof ScenarioError) return error.problems;
  throw new Error(`expected ${path} to be rejected, but got ${String(error)}`);
}
