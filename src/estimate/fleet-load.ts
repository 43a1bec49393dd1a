import { isMap, LineCounter, parseDocument } from 'yaml';
import { FileTooLarge, NotRegularFile, readRegularFile } from '../core/regular-file.ts';
import { type Problem, ScenarioError } from '../scenario/errors.ts';
import { describeIssues, errorMap } from '../scenario/issues.ts';
import { find } from '../scenario/locate.ts';
import { nestingProblem, nestingTooDeepAt } from '../scenario/nesting.ts';
import { positions, structureProblems, syntaxProblems } from '../scenario/yaml-problems.ts';
import { type Fleet, fleetSchema } from './fleet-schema.ts';

/** Reading a fleet file: YAML with positions, validated, every problem at its file:line:col (exit 2, as scenario files). */

/** A fleet file lists services; anything larger than this is not one. */
const MAX_FLEET_BYTES = 4 * 1024 * 1024;

/** A fleet file has no use for aliases; yaml's expansion guard stops documents that would blow up. */
const MAX_ALIAS_COUNT = 20;

const EXAMPLE_HINT = 'start with apiVersion: meshtax.dev/v1alpha1, kind: Fleet; see docs/fleet-example.yaml';

/** Reads and validates a fleet file; only a regular file is read (a FIFO would block the read past Ctrl-C). */
export async function loadFleetFile(path: string): Promise<Fleet> {
  let text: string;
  try {
    text = await readRegularFile(path, MAX_FLEET_BYTES);
  } catch (error) {
    if (error instanceof FileTooLarge) {
      throw new ScenarioError([{ source: path, message: `the file is ${(error.bytes / 1024 / 1024).toFixed(1)} MiB; a fleet file may be at most 4 MiB` }]);
    }
    if (error instanceof NotRegularFile) throw new ScenarioError([{ source: path, message: `cannot read ${path}: ${error.kind}` }]);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ScenarioError([{ source: path, message: `cannot read ${path}: ${why}`, hint: 'give the fleet file with --fleet FILE' }]);
  }
  return loadFleetText(text, path);
}

/** Validates fleet YAML already in memory; `source` names it in problems. */
export function loadFleetText(text: string, source: string): Fleet {
  // Before parsing: yaml's composer recurses once per level and would run out of stack on a deep file.
  const tooDeep = nestingTooDeepAt(text);
  if (tooDeep !== undefined) throw new ScenarioError([nestingProblem(text, source, tooDeep, 'a fleet file')]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true });
  const at = positions(source, lineCounter);
  const problems: Problem[] = syntaxProblems(doc, at);
  if (doc.errors.length === 0) problems.push(...structureProblems(doc, at, 'fleet files'));
  if (problems.length > 0) throw new ScenarioError(problems);
  if (!isMap(doc.contents)) {
    const offset = doc.contents?.range?.[0];
    throw new ScenarioError([
      { ...(offset === undefined ? { source } : at(offset)), message: 'a fleet file must be a YAML mapping (key: value lines)', hint: EXAMPLE_HINT },
    ]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ScenarioError([{ source, message: `aliases expand to more than ${MAX_ALIAS_COUNT} copies; write the values out` }]);
  }
  const result = fleetSchema.safeParse(value, { error: errorMap, reportInput: true });
  if (result.success) return result.data;
  const located = describeIssues(result.error.issues, value, fleetSchema).map(({ path, atKey, message, hint }) => {
    const found = find(doc, path, atKey);
    return {
      ...(found.offset === undefined ? { source } : at(found.offset)),
      message,
      ...(hint === undefined ? {} : { hint }),
    };
  });
  throw new ScenarioError(located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)));
}
