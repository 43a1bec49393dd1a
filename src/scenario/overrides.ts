import { type Document, isCollection, isMap, isSeq, parseDocument } from 'yaml';
import { ScenarioError } from './errors.ts';
import { MAX_NESTING, nestingTooDeepAt } from './nesting.ts';
import { showPath } from './show.ts';

/** `--set path=value`: one change to the scenario file, applied before validation. */
export type SetOverride = {
  /** Keys and array indices, e.g. `['load', 'rates', 0]` for `load.rates.0` or `load.rates[0]`. */
  path: (string | number)[];
  /** The value parsed as YAML: `5s` → '5s', `4` → 4, `[100,200]` → [100, 200]. */
  value: unknown;
  /** The argument as typed, `load.duration=5s`. */
  raw: string;
};

const FORM = 'write --set path=value, e.g. --set load.duration=5s, --set load.rates=[100,200] or --set modes.1=sidecar';

/** How much of an argument a message quotes: enough to recognise it, not a 10 000-character value back at its typist. */
const MAX_QUOTED = 60;

/** `text`, or its first characters and how long it is. */
function quoted(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}… (${text.length} characters)`;
}

/** The problem source for an override: `--set load.duration=5s`. */
export function setSource(raw: string): string {
  return `--set ${quoted(raw)}`;
}

/** `write --set load.rates=[500]` for the override that gave one value at `path`, where a list belongs; undefined when none did. */
export function listSetHint(overrides: readonly SetOverride[], path: readonly (string | number)[]): string | undefined {
  const override = overrides.findLast((o) => o.path.length === path.length && o.path.every((key, i) => key === path[i]));
  if (!override) return undefined;
  const equals = override.raw.indexOf('=');
  return `write --set ${override.raw.slice(0, equals)}=[${override.raw.slice(equals + 1)}]`;
}

function malformed(raw: string, message: string, hint = FORM): ScenarioError {
  return new ScenarioError([{ source: setSource(raw), message, hint }]);
}

function parsePath(raw: string, text: string): (string | number)[] {
  const path: (string | number)[] = [];
  const segment = /([A-Za-z_][A-Za-z0-9_-]*|\d+)|\[(\d+)\]/y;
  let at = 0;
  while (at < text.length) {
    if (path.length > 0 && text[at] === '.') at++;
    else if (path.length > 0 && text[at] !== '[') throw malformed(raw, `cannot read the path '${quoted(text)}' at '${quoted(text.slice(at))}'`);
    segment.lastIndex = at;
    const match = segment.exec(text);
    if (!match) throw malformed(raw, `cannot read the path '${quoted(text)}' at '${quoted(text.slice(at)) || '(end)'}'`);
    const [, name, index] = match;
    const key = index ?? name ?? '';
    path.push(/^\d+$/.test(key) ? Number(key) : key);
    at = segment.lastIndex;
  }
  return path;
}

/** Parses `path=value`; the value is YAML (a scalar or a flow collection such as `[100,200]` or `{a: 1}`). */
export function parseSet(arg: string): SetOverride {
  const equals = arg.indexOf('=');
  if (equals < 0) throw malformed(arg, `expected path=value; got '${quoted(arg)}'`);
  const pathText = arg.slice(0, equals).trim();
  if (pathText === '') throw malformed(arg, 'the path before = is empty');
  const path = parsePath(arg, pathText);
  const valueText = arg.slice(equals + 1);
  // Before parsing: yaml's composer recurses once per level and would run out of stack on a deep value.
  if (nestingTooDeepAt(valueText) !== undefined) {
    throw malformed(arg, `the value nests deeper than ${MAX_NESTING} levels; a scenario value needs a handful`, 'look for runaway [ or {');
  }
  const doc = parseDocument(valueText, { prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    throw malformed(arg, `cannot parse the value as YAML: ${error.message}`, `quote a string that contains YAML syntax: --set '${quoted(pathText)}="..."'`);
  }
  if (isCollection(doc.contents) && !doc.contents.flow) {
    throw malformed(arg, 'the value must be one YAML scalar or flow collection', `write a list as [100,200] and a mapping as {a: 1}, or quote a string: --set '${quoted(pathText)}="..."'`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    throw malformed(arg, `cannot use the value: ${(error as Error).message}`);
  }
  return { path, value, raw: arg };
}

/** Why `path` cannot be set in `doc`: a step into a value that is not a collection, or past the end of a list. */
function obstacle(doc: Document, path: readonly (string | number)[]): string | undefined {
  for (let i = 0; i < path.length - 1; i++) {
    const node = doc.getIn(path.slice(0, i + 1), true);
    const next = path[i + 1];
    const here = showPath(path.slice(0, i + 1));
    if (node === undefined || isMap(node)) continue;
    if (isSeq(node)) {
      if (typeof next !== 'number') return `${here} is a list; index it with a number, as ${here}.0`;
      if (next > node.items.length) return `index ${next} is past the end of ${here}, which has ${node.items.length} item${node.items.length === 1 ? '' : 's'}`;
      continue;
    }
    return `${here} holds a single value, not a mapping or list`;
  }
  return undefined;
}

/** Applies an override to the document; returns why it cannot be applied, if it cannot. */
export function applyOverride(doc: Document, override: SetOverride): string | undefined {
  const { path, value } = override;
  const why = obstacle(doc, path);
  if (why !== undefined) return `cannot set ${showPath(path)}: ${why}`;
  try {
    doc.setIn(path, doc.createNode(value));
    return undefined;
  } catch (error) {
    return `cannot set ${showPath(path)}: ${(error as Error).message}`;
  }
}
