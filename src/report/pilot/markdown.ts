import path from 'node:path';
import { MAX_MARKDOWN_CHARS, mdTable, mdText, PHASE_ROW_LIMITS, renderMarkdown, truncateMarkdown } from '../markdown.ts';
import { legend, MissingReasons } from '../uncertainty.ts';
import { REPORT_FILES } from '../write.ts';
import { allComparisons, serviceDescription, serviceLine, SUMMARY_HEAD, summaryRows, type PilotService } from './services.ts';

/**
 * The pilot's report.md: one table of every service's mesh tax first, then each service's own report (the same text
 * as its run's report.md, one heading level down). Kept under MAX_MARKDOWN_CHARS as a run's report is: the services'
 * phase tables shrink first, then the text is cut with a note.
 */

/** A link from the pilot's directory to a file beside the service's run.json, with forward slashes. */
export function relativeLink(outDir: string, service: PilotService, file: string): string {
  return path.relative(outDir, path.join(path.dirname(service.file), file)).split(path.sep).join('/');
}

/** The service's own report.md one level down: its `## meshtax:` title becomes `### `, its sections `#### `. */
function demoted(text: string): string {
  return text.replace(/^(#{2,5}) /gm, '#$1 ');
}

function summary(services: readonly PilotService[]): string {
  const missing = new MissingReasons();
  const rows = summaryRows(services, (delta) => `${delta.value}${delta.range ? ` ${delta.range}` : ''}${delta.mark ? ` (${delta.mark}${missing.mark(delta)})` : ''}`);
  const lines = [
    mdTable([...SUMMARY_HEAD], rows.map((row) => row.map(mdText)), ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `Each service's modes minus the baseline measured in the same run; latency from pooled histograms, CPU and memory of the mesh roles. ${mdText(legend(allComparisons(services)))}.`,
  ];
  const notes = missing.notes();
  if (notes.length > 0) lines.push('', ...notes.map((note) => `${mdText(note)}  `));
  return lines.join('\n');
}

function serviceSection(service: PilotService, outDir: string, phaseRows: number): string {
  const description = serviceDescription(service.run);
  return [
    `## Service \`${service.name.replace(/`/g, "'")}\``,
    '',
    [description ? `${mdText(description)}.` : '', `${mdText(serviceLine(service.run))}.`, `Its own reports: [report.html](${encodeURI(relativeLink(outDir, service, REPORT_FILES.html))}), [run.json](${encodeURI(relativeLink(outDir, service, 'run.json'))}).`]
      .filter((part) => part !== '')
      .join(' '),
    '',
    demoted(renderMarkdown(service.run, phaseRows)).trimEnd(),
  ].join('\n');
}

export function pilotMarkdown(services: readonly PilotService[], outDir: string): string {
  let text = '';
  for (const limit of PHASE_ROW_LIMITS) {
    text = `${[`# meshtax pilot: ${services.length} service${services.length === 1 ? '' : 's'}`, '', `Services: ${services.map((s) => `\`${s.name.replace(/`/g, "'")}\``).join(', ')}.`, '', summary(services), ...services.map((service) => `\n${serviceSection(service, outDir, limit)}`)].join('\n')}\n`;
    if (text.length <= MAX_MARKDOWN_CHARS) return text;
  }
  return truncateMarkdown(text);
}
