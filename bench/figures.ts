/** What the benches print per tool: medians of interleaved rounds, ratios against targets, a plain-text table. */

export interface Figures {
  p50: number;
  p99: number;
  rps: number;
  cpu: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function medianFigures(figures: readonly Figures[]): Figures {
  return {
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
    rps: median(figures.map((f) => f.rps)),
    cpu: median(figures.map((f) => f.cpu)),
  };
}

/** "1.05× ok" or "1.30× MISS" against the largest acceptable ratio. */
export function judged(ratio: number, target: number): string {
  return `${ratio.toFixed(2)}× ${ratio <= target ? 'ok' : 'MISS'}`;
}

export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
}
