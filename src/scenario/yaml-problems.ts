import { type Alias, type Document, isAlias, isMap, isNode, isScalar, type LineCounter, visit, type YAMLError, type YAMLMap } from 'yaml';
import type { Problem } from './errors.ts';

/** Problems in a scenario file as YAML, before its content is looked at. */

type At = (offset: number) => Pick<Problem, 'source' | 'line' | 'col'>;

export function positions(source: string, lineCounter: LineCounter): At {
  return (offset) => ({ source, ...lineCounter.linePos(offset) });
}

function fromYamlError(error: YAMLError, at: At): Problem {
  const where = at(error.pos[0]);
  switch (error.code) {
    case 'MULTIPLE_DOCS':
      return { ...where, message: 'a scenario file holds one YAML document; found another after ---', hint: 'split it into two files' };
    case 'TAG_RESOLVE_FAILED':
      return { ...where, message: `invalid YAML: ${error.message.split(' at line ')[0]}`, hint: 'scenario files use no tags; remove it' };
    default:
      // With prettyErrors off the message is the parser's own, without the source excerpt.
      return { ...where, message: `invalid YAML: ${error.message.split(' at line ')[0]}` };
  }
}

/** Syntax errors and warnings (unknown tags), each at its place. */
export function syntaxProblems(doc: Document, at: At): Problem[] {
  return [...doc.errors, ...doc.warnings].map((error) => fromYamlError(error, at));
}

/**
 * Duplicate keys (checked here in linear time: the parser's own uniqueKeys check is quadratic in the size of a
 * mapping), keys that are not plain scalars, and aliases: a scenario file has no use for them, they make it hard
 * to read (a value is not where it is used), and they are how a small file expands into a huge one. The first alias
 * is named, with how many more there are. `kind` names the files in the message ("fleet files").
 */
export function structureProblems(doc: Document, at: At, kind = 'scenario files'): Problem[] {
  const problems: Problem[] = [];
  const aliases: Alias[] = [];
  const place = (node: unknown) => {
    const offset = isNode(node) ? node.range?.[0] : undefined;
    return offset === undefined ? { source: at(0).source } : at(offset);
  };
  const checkKeys = (map: YAMLMap) => {
    const seen = new Map<string, unknown>();
    for (const pair of map.items) {
      if (!isScalar(pair.key)) {
        problems.push({ ...place(pair.key), message: 'a key must be a plain word, not a list, mapping or alias' });
        continue;
      }
      const key = String(pair.key.value);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, pair.key);
      else {
        problems.push({
          ...place(pair.key),
          message: `duplicate key '${key}' (first at line ${place(first).line ?? '?'})`,
          hint: 'a key may appear once in each mapping; keep one of them',
        });
      }
    }
  };
  visit(doc, (_, node) => {
    if (isAlias(node)) aliases.push(node);
    if (isMap(node)) checkKeys(node);
    return undefined;
  });
  const [first] = aliases;
  if (first) {
    const more = aliases.length > 1 ? ` (${aliases.length - 1} more in this file)` : '';
    problems.push({
      ...place(first),
      message: `alias *${first.source}: ${kind} do not use YAML aliases${more}`,
      hint: `write the value out where the alias is, and drop the anchor &${first.source}`,
    });
  }
  return problems;
}
