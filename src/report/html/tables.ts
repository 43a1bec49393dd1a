import type { Comparison, PhaseRecord, RunDocument } from '../../results/schema.ts';
import { CHAIN_HEAD, CHAIN_NOTE, chainRows } from '../chains.ts';
import { ENDPOINT_HEAD, ENDPOINT_NOTE, formattedEndpoints } from '../endpoints.ts';
import { NODE_HEAD, NODE_NOTE, nodeRows } from '../per-node.ts';
import { OUTAGE_HEAD, OUTAGE_NOTE, outagePhases, outageRows, SECOND_HEAD, secondRows } from '../outage.ts';
import { formatRate } from '../../core/format.ts';
import { escapeHtml } from './escape.ts';

/**
 * The tables report.html shows beside its charts, with the same rows as the terminal and report.md: the request mix
 * per endpoint, the mesh cost per node, the call chain's tax per depth and per hop and the control-plane outages. Each is a section with its own
 * heading; `idPrefix` keeps the heading ids apart when one page holds several runs (a pilot).
 */

/** A table whose `numeric` columns (by index) are figures: right-aligned, tabular digits. */
export function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], caption: string, numeric: readonly number[]): string {
  const cell = (text: string, index: number): string => `<td${numeric.includes(index) ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;
  return `<table>
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${head.map((label) => `<th scope="col">${escapeHtml(label)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n')}
</tbody>
</table>`;
}

function section(id: string, title: string, body: string): string {
  return `<section aria-labelledby="${id}">
<h2 id="${id}">${escapeHtml(title)}</h2>
${body}
</section>`;
}

const sentence = (text: string): string => `${text[0]!.toUpperCase()}${text.slice(1)}.`;

/** Each endpoint of the request mix per mode and rate, with deltas and intervals; '' without a request mix. */
export function endpointsHtml(phases: readonly PhaseRecord[], idPrefix = ''): string {
  const shown = formattedEndpoints(phases, (d, footnote) => [d.value, d.range, d.mark && `${d.mark}${footnote}`].filter(Boolean).join(' '));
  if (!shown) return '';
  const notes = shown.notes.map((note) => `<p class="reason">${escapeHtml(note)}</p>`).join('\n');
  return section(`${idPrefix}h-endpoints`, 'Per endpoint', `${htmlTable(ENDPOINT_HEAD, shown.rows, sentence(ENDPOINT_NOTE), [1, 3, 4, 5, 6, 7, 8, 9])}${notes ? `\n${notes}` : ''}`);
}

/** What the mesh's containers on each node use together, with intervals; '' when the run recorded no nodes. */
export function perNodeHtml(comparisons: readonly Comparison[], idPrefix = ''): string {
  const rows = nodeRows(comparisons);
  if (rows.length === 0) return '';
  return section(`${idPrefix}h-per-node`, 'Mesh cost per node', htmlTable(NODE_HEAD, rows, NODE_NOTE, [1, 3, 4, 5]));
}

/** The call chain's delta per depth and per-hop tax with intervals; '' without a chain. */
export function chainsHtml(chains: RunDocument['chains'], idPrefix = ''): string {
  if (!chains || chains.length === 0) return '';
  return section(`${idPrefix}h-chain`, 'Call chain: the tax per depth and per hop', htmlTable(CHAIN_HEAD, chainRows(chains), CHAIN_NOTE, [1, 2, 5, 6]));
}

/**
 * The control-plane outage of each phase that had one (faults.controlPlaneOutage): what was stopped and for how
 * long, traffic before, during and after, the recovery and the pod started during the outage; then each phase second
 * by second, folded. '' without an outage.
 */
export function outageHtml(phases: readonly PhaseRecord[], idPrefix = ''): string {
  const outages = outagePhases(phases);
  if (outages.length === 0) return '';
  const perSecond = outages.map(({ phase, outage }) => {
    const title = `${phase.mode} @ ${formatRate(phase.rate)} rps, rep ${phase.repetition}: by second`;
    return `<details>\n<summary>${escapeHtml(title)}</summary>\n${htmlTable(SECOND_HEAD, secondRows(outage), title, [0, 2, 3, 4, 5, 6])}\n</details>`;
  });
  const summary = htmlTable(OUTAGE_HEAD, outages.map((o) => outageRows(o)), `${OUTAGE_NOTE[0]!.toUpperCase()}${OUTAGE_NOTE.slice(1)}`, [1, 2]);
  return section(`${idPrefix}h-outage`, 'Control-plane outage', [summary, ...perSecond].join('\n'));
}
