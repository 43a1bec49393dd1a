/**
 * A text table in cli-table3's look (box-drawing borders, one space of padding), laid out in time linear in its
 * rows: cli-table3's layout grows faster than the square of the row count (9 000 rows took 69 s), which history
 * over a large results directory reaches. Cells are single-line strings.
 */
export function boxTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((cell) => width(cell));
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, width(cell))));
  const rule = (left: string, middle: string, right: string): string => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(middle)}${right}`;
  const line = (cells: readonly string[]): string => `│${widths.map((w, column) => ` ${pad(cells[column] ?? '', w)} `).join('│')}│`;
  const between = rule('├', '┼', '┤');
  const lines = [rule('┌', '┬', '┐'), line(head)];
  for (const row of rows) lines.push(between, line(row));
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}

/**
 * Width in terminal columns: code points (as `[...text].length` counts them, without building the array); the cells
 * meshtax prints hold no wide or combining characters.
 */
function width(text: string): number {
  let points = text.length;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A low surrogate after a high one ends a pair: one code point in two UTF-16 units.
    if (code >= 0xdc00 && code <= 0xdfff) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) points--;
    }
  }
  return points;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(to - width(text));
}
