import { InputError } from '../core/errors.ts';
/** Invalid input: problems in a scenario file or a `--set` override, each with where it is and how to fix it. */

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

export class ScenarioError extends InputError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super(formatProblems(problems));
    this.name = 'ScenarioError';
    this.problems = problems;
  }

  /** Every problem on its own line with file:line, without a prefix: the lines are the message. */
  override text(): string {
    return this.message;
  }
}
