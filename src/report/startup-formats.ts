import type { StartupResult } from '../startup/schema.ts';
import { csvField } from './csv.ts';
import { escapeHtml } from './html/escape.ts';
import { tablePage } from './html/page.ts';
import { htmlTable } from './html/tables.ts';
import { attr, countsAttributes, labelled, xmlEscape } from './junit.ts';
import { roundMedianMs, startupHead, startupNote, startupNumericColumns, startupRows } from './startup.ts';

/**
 * The start-up results in the formats a run's results have beside startup.json and startup.md: startup.html (the
 * table and its note on one offline page), startup.csv (one row per mode, one value per field, milliseconds, cores
 * and bytes in the column names; empty fields are null values) and junit.xml (a test case per mode, failed when a pod
 * did not start within the timeout, and where start-up is timed to Ready one more, failed when a pod did not answer
 * through the mesh, skipped when that was not measured; the table in system-out).
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
  'firstAnswerMeasured',
  'answered',
  'unanswered',
  'answeredFirstTry',
  'firstAnswerP50Ms',
  'firstAnswerP90Ms',
  'firstAnswerP99Ms',
  'firstAnswerMaxMs',
  'firstAnswerRoundMedianMs',
  'firstAnswerRoundMedianLowMs',
  'firstAnswerRoundMedianHighMs',
  'firstAnswerDeltaP50Ms',
  'firstAnswerDeltaP50LowMs',
  'firstAnswerDeltaP50HighMs',
  'firstAnswerClockErrorMs',
  'addedRequestsCpuCores',
  'addedRequestsMemoryBytes',
  'addedLimitsCpuCores',
  'addedLimitsMemoryBytes',
  'injectedContainers',
  'podsPerNode',
] as const;

export function startupCsv(result: StartupResult): string {
  const rows = result.modes.map((mode) => {
    const answer = mode.firstAnswer.measured ? mode.firstAnswer : undefined;
    return [
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
      String(mode.firstAnswer.measured),
      answer?.samples ?? null,
      answer?.unanswered ?? null,
      answer?.firstTry ?? null,
      answer?.startupMs?.p50 ?? null,
      answer?.startupMs?.p90 ?? null,
      answer?.startupMs?.p99 ?? null,
      answer?.startupMs?.max ?? null,
      answer ? roundMedianMs(answer) : null,
      answer?.p50IntervalMs?.low ?? null,
      answer?.p50IntervalMs?.high ?? null,
      answer?.deltaP50Ms?.estimate ?? null,
      answer?.deltaP50Ms?.interval?.low ?? null,
      answer?.deltaP50Ms?.interval?.high ?? null,
      answer?.clockErrorMs ?? null,
      mode.added?.requests.cpuCores ?? null,
      mode.added?.requests.memoryBytes ?? null,
      mode.added?.limits.cpuCores ?? null,
      mode.added?.limits.memoryBytes ?? null,
      // Space-separated: container names hold no spaces, and the field stays unquoted.
      mode.added ? mode.added.injectedContainers.join(' ') : null,
      mode.podsPerNode,
    ]
      .map(csvField)
      .join(',');
  });
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
${htmlTable(startupHead(result), startupRows(result), startupNote(result), startupNumericColumns(result))}
</section>
</main>`,
  );
}

export function startupJunit(result: StartupResult): string {
  const testcase = (mode: string, name: string, failure?: string, skipped?: string): string => {
    const open = `    <testcase classname="${attr(`meshtax.startup.${mode}`)}" name="${attr(name)}" time="0"`;
    if (skipped !== undefined) return `${open}>\n      <skipped message="${attr(skipped)}"/>\n    </testcase>`;
    if (failure === undefined) return `${open}/>`;
    return `${open}>\n      <failure message="${attr(failure)}" type="startup">${xmlEscape(failure)}</failure>\n    </testcase>`;
  };
  const started = result.modes.map((mode) =>
    testcase(mode.mode, 'pods start within the timeout', mode.failed > 0 ? `${mode.failed} of ${mode.samples + mode.failed} pods did not start within the timeout` : undefined),
  );
  // Where start-up is timed to Ready, the first answer through the mesh is a case of its own.
  const answered = startupHead(result).includes('first answer p50')
    ? result.modes.map((mode) => {
        const answer = mode.firstAnswer;
        if (!answer.measured) return { failed: false, skipped: true, xml: testcase(mode.mode, 'pods answer through the mesh within the timeout', undefined, `not measured: ${answer.reason}`) };
        const failure = answer.unanswered > 0 ? `${answer.unanswered} of ${answer.samples + answer.unanswered} pods did not answer through the mesh within the timeout` : undefined;
        return { failed: failure !== undefined, skipped: false, xml: testcase(mode.mode, 'pods answer through the mesh within the timeout', failure) };
      })
    : [];
  const cases = [...started, ...answered.map((a) => a.xml)];
  const counts = {
    tests: cases.length,
    failures: result.modes.filter((mode) => mode.failed > 0).length + answered.filter((a) => a.failed).length,
    errors: 0,
    skipped: answered.filter((a) => a.skipped).length,
  };
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
