import Table from 'cli-table3';
import type { EstimateResult } from '../../estimate/result-schema.ts';
import { fleetLine, modeDetails, networkTaxLine, summaryHead, summaryRows, unusedLines } from './rows.ts';

/** `meshtax estimate` in the terminal: the summary table, then each mode's arithmetic, what was not used, the model. */
export function estimateTerminal(result: EstimateResult): string {
  const table = new Table({ head: summaryHead(result), style: { head: [], border: [] } });
  for (const row of summaryRows(result)) table.push(row);
  const lines = [`meshtax estimate: what each mode adds to the fleet per month (intervals ${intervalLevel(result)})`, fleetLine(result), table.toString()];
  for (const mode of result.modes) {
    lines.push('', `${mode.mode}:`);
    const details = modeDetails(mode, result.fleet.currency);
    lines.push(...details.map((line) => `  ${line}`));
  }
  const tax = networkTaxLine(result);
  if (tax) lines.push('', tax);
  const unused = unusedLines(result);
  if (unused.length > 0) lines.push('', 'not used:', ...unused.map((line) => `  ${line}`));
  lines.push('', 'model:', ...result.model.map((line) => `  - ${line}`));
  return `${lines.join('\n')}\n`;
}

/** "95%" from the modes' intervals, or "none" when no mode has one. */
export function intervalLevel(result: EstimateResult): string {
  const levels = [...new Set(result.modes.map((mode) => `${Math.round(mode.source.confidence * 100)}%`))];
  return levels.length > 0 ? levels.join(', ') : 'none';
}
