import { type Problem, ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';

/** Joins lines into a YAML text, so that a test's line numbers can be read off its array. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Lines 1-4 of a valid scenario; tests append from line 5. */
export const HEAD = ['apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', 'metadata:', '  name: demo'];

/** The problems loading `text` (named test.yaml) reports; fails the test when it loads. */
export function problemsOf(text: string, sets: string[] = []): Problem[] {
  try {
    loadScenarioText(text, 'test.yaml', sets);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('expected the scenario to be rejected, but it loaded');
}
