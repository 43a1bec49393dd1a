import type { EstimateResult } from '../../estimate/result-schema.ts';
import { fleetLine, modeDetails, networkTaxLine, summaryHead, summaryRows, unusedLines } from './rows.ts';
import { intervalLevel } from './terminal.ts';

/** Table cells are text people and tools wrote (mode names, file paths): a pipe or a line break would break the row. */
const cell = (text: string): string => text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');

/** `meshtax estimate --format md`. */
export function estimateMarkdown(result: EstimateResult): string {
  const lines = [
    `# What the mesh costs fleet ${cell(result.fleet.name)}`,
    '',
    `${fleetLine(result)}. Per month, with ${intervalLevel(result)} intervals carried from the measurements.`,
    '',
    `| ${summaryHead(result).join(' | ')} |`,
    `| ${summaryHead(result).map(() => '---').join(' | ')} |`,
    ...summaryRows(result).map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  for (const mode of result.modes) {
    lines.push('', `## ${cell(mode.mode)}`, '');
    const details = modeDetails(mode, result.fleet.currency);
    lines.push(...details.map((line) => `- ${cell(line)}`));
  }
  const tax = networkTaxLine(result);
  if (tax) lines.push('', '## Network tax', '', tax);
  const unused = unusedLines(result);
  if (unused.length > 0) lines.push('', '## Not used', '', ...unused.map((line) => `- ${cell(line)}`));
  lines.push('', '## Model', '', ...result.model.map((line) => `- ${line}`));
  return `${lines.join('\n')}\n`;
}
