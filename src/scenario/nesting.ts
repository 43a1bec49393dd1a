import { Lexer } from 'yaml';
import type { Problem } from './errors.ts';

/**
 * Deepest nesting of mappings and lists a scenario file may have. Scenarios need five or six levels; yaml's
 * composer recurses once per level and runs out of stack at about 800 (block) or 700 (flow), and reports that as
 * "Maximum call stack size exceeded". The limit is checked on yaml's lexer tokens, before the parser composes
 * anything, so a deep file is refused in time linear in its size.
 */
export const MAX_NESTING = 64;

/** yaml's lexer marks document start, flow end and scalars with control characters that are not in the source. */
const ZERO_WIDTH = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * The offset where the file first nests deeper than `max`, or undefined. Block levels are counted as an
 * indentation stack (a key or `-`/`?` indicator further right than the last open level opens a new one), flow
 * levels by `[`/`{` and their ends; the count is an upper bound, which is what a limit needs.
 */
export function nestingTooDeepAt(text: string, max = MAX_NESTING): number | undefined {
  const block: number[] = [];
  let flow = 0;
  let offset = 0;
  let column = 0;
  // Column where the current node's content starts: the line's first token, or the first after an indicator.
  let contentColumn: number | undefined;
  let contentOffset = 0;
  const open = (at: number): boolean => {
    while (block.length > 0 && block.at(-1)! > at) block.pop();
    if (block.at(-1) !== at) block.push(at);
    return block.length + flow > max;
  };
  for (const token of new Lexer().lex(text)) {
    if (ZERO_WIDTH.has(token)) continue;
    const start = offset;
    const startColumn = column;
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    column = newline >= 0 ? token.length - newline - 1 : column + token.length;
    if (newline >= 0 && token.trim() === '') {
      contentColumn = undefined;
      continue;
    }
    if (token.trim() === '' || token.startsWith('#')) continue;
    if (token === '[' || token === '{') {
      flow++;
      if (block.length + flow > max) return start;
      continue;
    }
    if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
      continue;
    }
    if (flow > 0) continue;
    if (token === '-' || token === '?') {
      if (open(startColumn)) return start;
      contentColumn = undefined;
      continue;
    }
    if (token === ':') {
      if (open(contentColumn ?? startColumn)) return contentColumn === undefined ? start : contentOffset;
      contentColumn = undefined;
      continue;
    }
    if (contentColumn === undefined) {
      contentColumn = startColumn;
      contentOffset = start;
    }
  }
  return undefined;
}

/** The problem for a file nested too deep, at its place; `kind` names what the file is ("a fleet file"). */
export function nestingProblem(text: string, source: string, at: number, kind = 'a scenario file'): Problem {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - (before.lastIndexOf('\n') + 1) + 1;
  return {
    source,
    line,
    col,
    message: `nesting deeper than ${MAX_NESTING} levels; ${kind} needs a handful`,
    hint: 'look for runaway [ or { or an indentation that keeps growing',
  };
}
