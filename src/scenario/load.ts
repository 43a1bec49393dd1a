import { dirname } from 'node:path';
import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { FileTooLarge, NotRegularFile, readRegularFile } from '../core/regular-file.ts';
import { type Problem, ScenarioError } from './errors.ts';
import { describeIssues, errorMap, type PathProblem } from './issues.ts';
import { find } from './locate.ts';
import { applyOverride, listSetHint, parseSet, type SetOverride, setSource } from './overrides.ts';
import { type Scenario, scenarioSchema } from './schema.ts';
import { nestingProblem, nestingTooDeepAt } from './nesting.ts';
import { RequestMixError, requestMix, withFilesFrom } from './request-mix.ts';
import { positions, structureProblems, syntaxProblems } from './yaml-problems.ts';

/** Reading a scenario: YAML with positions, `--set` overrides, validation, every problem at its file:line:col. */

export type Position = { line: number; col: number };
export type Origin = Pick<Problem, 'source' | 'line' | 'col'>;

export type LoadedScenario = {
  /** Validated, defaults applied; durations in milliseconds, sizes in bytes. */
  scenario: Scenario;
  /** The file path as given (or the source name passed to loadScenarioText). */
  source: string;
  /**
   * Line and column in the file of the value at `path` (e.g. `['modes', 2]`); for a key the file leaves out, of the
   * nearest mapping that holds it; undefined when the value came from a `--set` override.
   */
  locate(path: readonly (string | number)[]): Position | undefined;
  /** Where a problem with the value at `path` should point: `source` + line/col, or the `--set …` that gave it. */
  where(path: readonly (string | number)[]): Origin;
};

/** Scenario files are small; anything larger is not one. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

/**
 * yaml's `maxAliasCount` (a toJS option): aliases are refused before conversion (structureProblems), so none may
 * expand; the guard stays as a second line against "billion laughs" documents.
 */
const MAX_ALIAS_COUNT = 0;

/** At most this many problems are reported (locating each one walks the document). */
const MAX_PROBLEMS = 100;

function tooLarge(source: string, bytes: number): ScenarioError {
  const mib = (bytes / MAX_SCENARIO_BYTES).toFixed(1);
  return new ScenarioError([
    { source, message: `the file is ${mib} MiB; a scenario file may be at most 1 MiB`, hint: 'is this the scenario file you meant?' },
  ]);
}

function readProblem(path: string, error: unknown): ScenarioError {
  if (error instanceof FileTooLarge) return tooLarge(path, error.bytes);
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    error instanceof NotRegularFile
      ? error.kind
      : code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
  return new ScenarioError([{ source: path, message: `cannot read ${path}: ${why}` }]);
}

/**
 * Reads and validates a scenario file; throws ScenarioError listing every problem found. Only a regular file is
 * read: a FIFO given as the scenario would otherwise block the read, and the command with it, past Ctrl-C.
 */
export async function loadScenarioFile(path: string, sets: string[] = []): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readRegularFile(path, MAX_SCENARIO_BYTES);
  } catch (error) {
    throw readProblem(path, error);
  }
  return withRequestFiles(loadScenarioText(text, path, sets), dirname(path));
}

/**
 * The files the load section names (request bodies, a .proto) resolved against the scenario file's directory and
 * checked now, so a missing file or a method the .proto lacks is a problem at its line, before anything starts.
 */
function withRequestFiles(loaded: LoadedScenario, dir: string): LoadedScenario {
  const load = withFilesFrom(loaded.scenario.load, dir);
  try {
    requestMix(load);
  } catch (error) {
    if (!(error instanceof RequestMixError)) throw error;
    fail(error.problems.map((problem) => ({ ...loaded.where(problem.path), message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) })));
  }
  return { ...loaded, scenario: { ...loaded.scenario, load } };
}

function parseSets(sets: readonly string[], problems: Problem[]): SetOverride[] {
  return sets.flatMap((arg) => {
    try {
      return [parseSet(arg)];
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.problems);
      return [];
    }
  });
}

/** Problems with a line first, by line and column; then the others (such as those from `--set`), in order. */
function byPlace(problems: Problem[]): Problem[] {
  return problems
    .map((problem, i) => ({ problem, i }))
    .sort((a, b) => {
      const [p, q] = [a.problem, b.problem];
      if (p.line === undefined || q.line === undefined) return (p.line === undefined ? 1 : 0) - (q.line === undefined ? 1 : 0) || a.i - b.i;
      return p.line - q.line || (p.col ?? 0) - (q.col ?? 0) || a.i - b.i;
    })
    .map(({ problem }) => problem);
}

/** Throws the problems in place order, at most MAX_PROBLEMS of them, saying how many of `total` were left out. */
function fail(problems: Problem[], total = problems.length): never {
  const shown = byPlace(problems.slice(0, MAX_PROBLEMS));
  if (total > shown.length) shown.push({ source: shown[0]?.source ?? '', message: `and ${total - shown.length} more problems` });
  throw new ScenarioError(shown);
}

function originFinder(doc: Document, lineCounter: LineCounter, source: string, overrides: readonly SetOverride[]) {
  const startsWith = (path: readonly (string | number)[], prefix: readonly (string | number)[]) =>
    prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
  return (path: readonly (string | number)[], atKey = false): Origin => {
    const found = find(doc, path, atKey);
    if (found.synthetic) {
      const override = overrides.findLast((o) => startsWith(path, o.path) || startsWith(o.path, path));
      return { source: override ? setSource(override.raw) : source };
    }
    return found.offset === undefined ? { source } : { source, ...lineCounter.linePos(found.offset) };
  };
}

/** Validates scenario YAML already in memory; `source` names it in problems. */
export function loadScenarioText(text: string, source: string, sets: string[] = []): LoadedScenario {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCENARIO_BYTES) throw tooLarge(source, bytes);

  const problems: Problem[] = [];
  const overrides = parseSets(sets, problems);
  // Before the parser: its composer recurses once per level and would run out of stack.
  const tooDeep = nestingTooDeepAt(text);
  if (tooDeep !== undefined) fail([...problems, nestingProblem(text, source, tooDeep)]);
  const lineCounter = new LineCounter();
  // uniqueKeys is checked by structureProblems instead: the parser's check takes quadratic time.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const at = positions(source, lineCounter);
  problems.push(...syntaxProblems(doc, at));
  if (doc.errors.length === 0) problems.push(...structureProblems(doc, at));
  if (problems.length > 0) fail(problems);

  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? 'the file is empty' : `the file holds ${isSeq(doc.contents) ? 'a list' : 'a single value'}`;
    const offset = doc.contents?.range?.[0];
    fail([
      {
        ...(offset === undefined ? { source } : at(offset)),
        message: `a scenario must be a YAML mapping (key: value lines); ${what}`,
        hint: 'start with apiVersion: meshtax.dev/v1alpha1, kind: Scenario and metadata: {name: ...}; see scenarios/quickstart.yaml',
      },
    ]);
  }

  for (const override of overrides) {
    const why = applyOverride(doc, override);
    if (why !== undefined) problems.push({ source: setSource(override.raw), message: why });
  }
  if (problems.length > 0) fail(problems);

  const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });

  const origin = originFinder(doc, lineCounter, source, overrides);
  const result = scenarioSchema.safeParse(value, { error: errorMap, reportInput: true });
  if (!result.success) {
    const described: PathProblem[] = describeIssues(result.error.issues, value);
    const located = described.slice(0, MAX_PROBLEMS).map(({ path, atKey, message, hint, wantsList }) => {
      const shown = (wantsList ? listSetHint(overrides, path) : undefined) ?? hint;
      return { ...origin(path, atKey), message, ...(shown === undefined ? {} : { hint: shown }) };
    });
    fail(located, described.length);
  }

  return {
    scenario: result.data,
    source,
    locate(path) {
      const found = find(doc, path);
      return found.synthetic || found.offset === undefined ? undefined : lineCounter.linePos(found.offset);
    },
    where: (path) => origin(path),
  };
}
