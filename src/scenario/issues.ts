import type { z } from 'zod';
import { knownKeys, namedValues } from './known-keys.ts';
import { showPath, showValue } from './show.ts';
import { didYouMean } from './suggest.ts';

/** Zod issues as problems a person can act on, each tied to a path in the scenario (load.ts finds the line). */

export type PathProblem = {
  path: (string | number)[];
  /** The problem is the key itself (an unknown key), not its value. */
  atKey: boolean;
  message: string;
  hint?: string;
  /** One value was given where a list belongs (load.ts then shows the `--set` that would have been right). */
  wantsList?: boolean;
};

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

/** Per-parse error map: plainer messages for type errors than zod's defaults. */
export const errorMap: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' ? `expected ${EXPECTED[issue.expected] ?? issue.expected}; got ${showValue(issue.input)}` : undefined;

const isScalar = (value: unknown): value is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof value);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

/** True when the last key of `path` is absent from a mapping that exists. */
function isMissing(root: unknown, path: readonly (string | number)[]): boolean {
  const key = path.at(-1);
  const parent = valueAt(root, path.slice(0, -1));
  return typeof key === 'string' && isRecord(parent) && !Object.hasOwn(parent, key);
}

function oneOf(values: readonly string[]): string {
  return values.length === 1 ? `${values[0]}` : `one of: ${values.join(', ')}`;
}

function missingHint(key: string, path: (string | number)[]): string | undefined {
  const { allowed, examples } = namedValues(path);
  if (allowed.length === 1) return `add ${key}: ${allowed[0]}`;
  if (allowed.length > 1) return `${key} is ${oneOf(allowed)}`;
  return examples.length > 0 ? `for example ${key}: ${examples[0]}` : undefined;
}

function missing(path: (string | number)[]): PathProblem {
  const key = String(path.at(-1));
  const parent = path.slice(0, -1);
  const hint = missingHint(key, path);
  return {
    path,
    atKey: false,
    message: `missing required key '${key}'${parent.length > 0 ? ` in ${showPath(parent)}` : ''}`,
    ...(hint === undefined ? {} : { hint }),
  };
}

function unknownKeys(issue: z.core.$ZodIssueUnrecognizedKeys, path: (string | number)[]): PathProblem[] {
  const known = knownKeys(path);
  const where = path.length > 0 ? `in ${showPath(path)}` : 'at the top level';
  return issue.keys.map((key) => ({
    path: [...path, key],
    atKey: true,
    message: `unknown key '${key}' ${where}`,
    hint: didYouMean(key, known) ?? `known keys ${where}: ${known.join(', ')}`,
  }));
}

function describe(issue: z.core.$ZodIssue, root: unknown): PathProblem[] {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue, path);
  if (issue.code !== 'custom' && isMissing(root, path)) return [missing(path)];
  const prefix = path.length > 0 ? `${showPath(path)}: ` : '';
  const input = valueAt(root, path);
  if (issue.code === 'invalid_value') {
    const values = issue.values.map(String);
    const hint = didYouMean(input, values);
    return [{ path, atKey: false, message: `${prefix}must be ${oneOf(values)}; got ${showValue(input)}`, ...(hint ? { hint } : {}) }];
  }
  if (issue.code === 'invalid_union' && 'options' in issue && issue.options !== undefined) {
    const values = issue.options.map(String);
    const hint = didYouMean(input, values);
    return [{ path, atKey: false, message: `${prefix}must be ${oneOf(values)}; got ${showValue(input)}`, ...(hint ? { hint } : {}) }];
  }
  if (issue.code === 'invalid_type' && issue.expected === 'array' && isScalar(input)) {
    return [{ path, atKey: false, message: `${prefix}${issue.message}`, hint: `a list is written in brackets, e.g. [${String(input)}]`, wantsList: true }];
  }
  const hint: unknown = issue.code === 'custom' ? issue.params?.hint : undefined;
  return [{ path, atKey: false, message: `${prefix}${issue.message}`, ...(typeof hint === 'string' ? { hint } : {}) }];
}

/** One problem per issue (one per key for unknown keys), duplicates removed; `root` is the value that was validated. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], root: unknown): PathProblem[] {
  const seen = new Set<string>();
  return issues
    .flatMap((issue) => describe(issue, root))
    .filter((problem) => {
      const key = JSON.stringify([problem.path, problem.atKey, problem.message]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
