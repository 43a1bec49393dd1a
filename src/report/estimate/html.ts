import type { EstimateResult } from '../../estimate/result-schema.ts';
import { escapeHtml } from '../html/escape.ts';
import { fleetLine, modeDetails, networkTaxLine, summaryHead, summaryRows, unusedLines } from './rows.ts';
import { intervalLevel } from './terminal.ts';

/** `meshtax estimate --format html`: one self-contained page (no scripts, no external files), every text escaped. */

const list = (items: readonly string[]): string => `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td{font-variant-numeric:tabular-nums}h2{margin-top:2rem}`;

export function estimateHtml(result: EstimateResult): string {
  const head = summaryHead(result).map((title) => `<th>${escapeHtml(title)}</th>`).join('');
  const rows = summaryRows(result)
    .map((row) => `<tr>${row.map((text) => `<td>${escapeHtml(text)}</td>`).join('')}</tr>`)
    .join('\n');
  const modes = result.modes
    .map((mode) => {
      const details = modeDetails(mode, result.fleet.currency);
      return `<h2>${escapeHtml(mode.mode)}</h2>${list(details)}`;
    })
    .join('\n');
  const tax = networkTaxLine(result);
  const unused = unusedLines(result);
  const title = `What the mesh costs fleet ${result.fleet.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(fleetLine(result))}. Per month, with ${escapeHtml(intervalLevel(result))} intervals carried from the measurements.</p>
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
${modes}
${tax ? `<h2>Network tax</h2><p>${escapeHtml(tax)}</p>` : ''}
${unused.length > 0 ? `<h2>Not used</h2>${list(unused)}` : ''}
<h2>Model</h2>${list(result.model)}
</body></html>
`;
}
