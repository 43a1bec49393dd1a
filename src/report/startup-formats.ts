import type { StartupResult } from '../startup/schema.ts';
import { csvField } from './csv.ts';
import { escapeHtml } from './html/escape.ts';
import { tablePage } from './html/page.ts';
import { htmlTable } from './html/tables.ts';
import { attr, countsAttributes, labelled, xmlEscape } from './junit.ts';
import { roundMedianMs, startupHead, startupNote, startupRows } from './startup.ts';

/**
 * The start-up results in the formats a run's results have beside startup.json and startup.md: startup.html (the
 * table and its note on one offline page), startup.csv (one row per mode, one value per field, milliseconds, cores
 * and bytes in the column names; empty fields are null values) and junit.xml (a test case per mode, failed when a pod
 * did not start within the timeout, the table in system-out).
 */

export const STARTUP_REPORT_FILES = { html: 'startup.html', csv: 'startup.csv', junit: 'junit.xml' } as const;

export const STARTUP_CSV_COLUMNS = [
  'mode',
  'started',
  'failed',
  'p50Ms',
  'p90Ms',
  'p99Ms',
  'maxMs',
  'roundMedianMs',
  'roundMedianLowMs',
  'roundMedianHighMs',
  'deltaP50Ms',
  'deltaP50LowMs',
  'deltaP50HighMs',
  'addedRequestsCpuCores',
  'addedRequestsMemoryBytes',
  'addedLimitsCpuCores',
  'addedLimitsMemoryBytes',
  'injectedContainers',
  'podsPerNode',
] as const;

export function startupCsv(result: StartupResult): string {
  const rows = result.modes.map((mode) =>
    [
      mode.mode,
      mode.samples,
      mode.failed,
      mode.startupMs?.p50 ?? null,
      mode.startupMs?.p90 ?? null,
      mode.startupMs?.p99 ?? null,
      mode.startupMs?.max ?? null,
      roundMedianMs(mode),
      mode.p50IntervalMs?.low ?? null,
      mode.p50IntervalMs?.high ?? null,
      mode.deltaP50Ms?.estimate ?? null,
      mode.deltaP50Ms?.interval?.low ?? null,
      mode.deltaP50Ms?.interval?.high ?? null,
      mode.added?.requests.cpuCores ?? null,
      mode.added?.requests.memoryBytes ?? null,
      mode.added?.limits.cpuCores ?? null,
      mode.added?.limits.memoryBytes ?? null,
      // Space-separated: container names hold no spaces, and the field stays unquoted.
      mode.added ? mode.added.injectedContainers.join(' ') : null,
      mode.podsPerNode,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[STARTUP_CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}

export function startupHtml(result: StartupResult): string {
  const title = `meshtax startup: ${result.runtime}, run ${result.runId}`;
  return tablePage(
    title,
    `<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">scenario file <code>${escapeHtml(result.scenarioSource)}</code> · started ${escapeHtml(result.startedAt)} · finished ${escapeHtml(result.finishedAt)}</p>
</header>
<main>
<section aria-labelledby="h-startup">
<h2 id="h-startup">Start-up per mode</h2>
${htmlTable(startupHead(result), startupRows(result), startupNote(result), [1, 2, 3, 4, 5, 6, 7, 11])}
</section>
</main>`,
  );
}

export function startupJunit(result: StartupResult): string {
  const cases = result.modes.map((mode) => {
    const open = `    <testcase classname="${attr(`meshtax.startup.${mode.mode}`)}" name="pods start within the timeout" time="0"`;
    if (mode.failed === 0) return `${open}/>`;
    const message = `${mode.failed} of ${mode.samples + mode.failed} pods did not start within the timeout`;
    return `${open}>\n      <failure message="${attr(message)}" type="startup">${xmlEscape(message)}</failure>\n    </testcase>`;
  });
  const counts = { tests: cases.length, failures: result.modes.filter((mode) => mode.failed > 0).length, errors: 0, skipped: 0 };
  const out = [...labelled(startupHead(result), startupRows(result)), startupNote(result)].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="meshtax" ${countsAttributes(counts)}>`,
    `  <testsuite name="meshtax startup" ${countsAttributes(counts)} time="0" timestamp="${attr(result.startedAt)}">`,
    '    <properties>',
    `      <property name="run-id" value="${attr(result.runId)}"/>`,
    `      <property name="runtime" value="${attr(result.runtime)}"/>`,
    '    </properties>',
    ...cases,
    `    <system-out>${xmlEscape(out)}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
