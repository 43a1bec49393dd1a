/** Invalid input: problems in a scenario file or a `--set` override, each with where it is and how to fix it. */

/** Exit code for invalid input: 2, as in the exit-code table of every command's --help. */
export const SCENARIO_EXIT_CODE = 2;

export type Problem = {
  /** File path as given, or the override as typed, e.g. `--set load.duration=5s`. */
  source: string;
  /** 1-based line in `source`, when the problem has a place in a file. */
  line?: number;
  /** 1-based column in `source`. */
  col?: number;
  message: string;
  /** What to do about it. */
  hint?: string;
};

/** One line per problem, `file:line:col: message`, each followed by `  hint: …` when there is one. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map((p) => {
      const where = [p.source, p.line, p.line === undefined ? undefined : p.col].filter((part) => part !== undefined).join(':');
      return p.hint === undefined ? `${where}: ${p.message}` : `${where}: ${p.message}\n  hint: ${p.hint}`;
    })
    .join('\n');
}

export class ScenarioError extends Error {
  readonly problems: Problem[];
  readonly exitCode = SCENARIO_EXIT_CODE;

  constructor(problems: Problem[]) {
    super(formatProblems(problems));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}
