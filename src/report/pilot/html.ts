import { splitComparisons } from '../../analysis/validity.ts';
import type { RunDocument } from '../../results/schema.ts';
import { escapeHtml } from '../html/escape.ts';
import { invalidSection, validDeltaTable } from '../html/index.ts';
import { tablePage } from '../html/page.ts';
import { chainsHtml, endpointsHtml, htmlTable, outageHtml, perNodeHtml } from '../html/tables.ts';
import { legend } from '../uncertainty.ts';
import { REPORT_FILES } from '../write.ts';
import { relativeLink } from './markdown.ts';
import { allComparisons, serviceDescription, serviceLine, SUMMARY_HEAD, summaryRows, type PilotService } from './services.ts';

/**
 * The pilot's report.html: one offline page, the mesh tax of every service in one table first, then per service its
 * delta table with intervals, its endpoints, call chain and per-node cost, and a link to the run's own report.html
 * with the charts. It loads nothing and runs no script: every figure is in the tables.
 */

const anchor = (index: number): string => `service-${index + 1}`;

function serviceSection(service: PilotService, index: number, outDir: string): string {
  const run: RunDocument = service.run;
  const prefix = `${anchor(index)}-`;
  const description = serviceDescription(run);
  const failures = run.failures.length === 0 ? '' : `<p class="error">${run.failures.length} phase${run.failures.length === 1 ? '' : 's'} failed: see the run's own report.</p>`;
  const parts = [
    endpointsHtml(run.phases, prefix),
    chainsHtml(run.chains, prefix),
    perNodeHtml(splitComparisons(run.comparisons, run.phases).valid, prefix),
    outageHtml(run.phases, prefix),
  ].filter((part) => part !== '');
  return `<article class="service" id="${anchor(index)}" aria-labelledby="${prefix}h">
<h2 id="${prefix}h">Service <code>${escapeHtml(service.name)}</code></h2>
${description ? `<p>${escapeHtml(description)}</p>\n` : ''}<p class="meta">${escapeHtml(serviceLine(run))} · run <code>${escapeHtml(run.runId)}</code> · status <span class="status status-${escapeHtml(run.status)}">${escapeHtml(run.status)}</span> · <a href="${escapeHtml(encodeURI(relativeLink(outDir, service, REPORT_FILES.html)))}">its report with charts</a></p>
${run.error ? `<p class="error" role="alert">run error: ${escapeHtml(run.error)}</p>\n` : ''}${failures}${invalidSection(run, prefix)}
${validDeltaTable(run)}
${parts.join('\n')}
</article>`;
}

export function pilotHtml(services: readonly PilotService[], outDir: string): string {
  const rows = summaryRows(services, (delta) => [delta.value, delta.range, delta.mark].filter((part) => part !== null && part !== '').join(' '));
  const title = `meshtax pilot: ${services.length} service${services.length === 1 ? '' : 's'}`;
  const caption = `Each service's modes minus the baseline measured in the same run; latency from pooled histograms, CPU and memory of the mesh roles. ${legend(allComparisons(services))}.`;
  return tablePage(
    title,
    `<header>
<h1>${escapeHtml(title)}</h1>
<nav><p class="meta">${services.map((service, index) => `<a href="#${anchor(index)}">${escapeHtml(service.name)}</a>`).join(' · ')}</p></nav>
</header>
<main>
<section aria-labelledby="h-pilot">
<h2 id="h-pilot">What each service pays</h2>
${htmlTable([...SUMMARY_HEAD], rows, caption, [3, 4, 5, 6, 7, 8])}
</section>
${services.map((service, index) => serviceSection(service, index, outDir)).join('\n')}
</main>`,
    '\n.service { margin-top: 2.5rem; } .service > h2 { font-size: 1.35rem; }\n',
  );
}
