import type { Comparison, RunDocument, ThresholdResult } from '../results/schema.ts';
import { splitComparisons, validityOf, validityText } from '../analysis/validity.ts';
import { formatRate } from '../core/format.ts';
import { PERCENTILE_KEYS } from '../core/percentiles.ts';
import { proxyLine, warningLines } from './terminal.ts';
import { CHAIN_HEAD, CHAIN_NOTE, chainRows } from './chains.ts';
import { NODE_HEAD, NODE_NOTE, nodeRows } from './per-node.ts';
import { deltaLine, DELTA_LABELS, legend, NO_INTERVAL, NOT_SIGNIFICANT, reliabilityMark, shownDelta } from './uncertainty.ts';

/**
 * junit.xml for CI: one testsuite "meshtax thresholds" with a testcase per threshold result (failure when it failed,
 * skipped when there was no data, error when the measurement it judges is invalid), a testcase per failed phase
 * (error), and per invalid phase and per comparison built on one (error: not mesh tax). Its system-out holds the
 * mesh tax with intervals, the call chain's tax per depth and per hop, the mesh cost per node, and the run's
 * warnings (among them which components are shared with the cluster and how they are charged, which CI readers
 * otherwise never see beside the figures).
 */

// Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/U+FFFF).
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes & < > " ' and drops characters XML 1.0 cannot hold; usable in text and in attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** An attribute value: escaped, with line breaks and tabs as character references so parsers keep them. */
export function attr(text: string): string {
  return xmlEscape(text).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** The unit as a reader writes it after a number (run.json spells µs as us). */
const UNIT_LABEL: Record<ThresholdResult['unit'], string> = { us: 'µs', cores: 'cores', bytes: 'bytes', fraction: '(fraction)' };

/** `p50-delta <= 10 µs @ 1000 rps`: the limit with its unit, as the scenario meant it. */
function thresholdName(t: ThresholdResult): string {
  return `${t.metric} <= ${t.max} ${UNIT_LABEL[t.unit]} @ ${formatRate(t.rate)} rps`;
}

function thresholdDetail(t: ThresholdResult): string {
  const interval = t.interval ? ` [${t.interval.low}, ${t.interval.high}]` : '';
  return `value: ${t.value ?? 'none'}${interval} ${UNIT_LABEL[t.unit]}\nmax: ${t.max} ${UNIT_LABEL[t.unit]}\n${t.reason}`;
}

/** The proxy (or cluster) property: the line every report shows, split at its label so the value does not repeat it. */
function environmentProperty(run: RunDocument): [string, string][] {
  const line = proxyLine(run);
  if (!line) return [];
  const at = line.indexOf(': ');
  return [at > 0 ? [line.slice(0, at), line.slice(at + 2)] : ['proxy', line]];
}

function errorCase(classname: string, name: string, message: string): string {
  return (
    `    <testcase classname="${classname}" name="${attr(name)}" time="0">\n` +
    `      <error message="${attr(message)}" type="invalid-measurement">${xmlEscape(message)}</error>\n    </testcase>`
  );
}

/** An error per comparison built on an invalid phase, then per invalid phase. */
function invalidCases(run: RunDocument, classname: (mode: string) => string): string[] {
  const comparisons = splitComparisons(run.comparisons, run.phases).invalid.map(({ comparison, validity }) =>
    errorCase(classname(comparison.mode), `mesh tax against ${comparison.baseline} @ ${formatRate(comparison.rate)} rps`, `invalid measurement: ${validityText(validity)}`),
  );
  const phases = run.phases.flatMap((phase) => {
    const validity = validityOf(phase);
    const name = `valid measurement @ ${formatRate(phase.rate)} rps, repetition ${phase.repetition}`;
    return validity.valid ? [] : [errorCase(classname(phase.mode), name, `invalid measurement: ${validityText(validity)}`)];
  });
  return [...comparisons, ...phases];
}

/**
 * The mesh tax as CI shows it beside the test cases: per mode and rate, each delta with its interval and its mark
 * ("not significant", "no interval" with the reason), and "low reliability" for 2–4 rounds.
 */
export function meshTaxLines(comparisons: readonly Comparison[]): string[] {
  const lines: string[] = [];
  for (const comparison of comparisons) {
    const reliability = reliabilityMark(comparison);
    lines.push(`mesh tax of ${comparison.mode} against ${comparison.baseline} at ${formatRate(comparison.rate)} rps, ${comparison.repetitions} rounds${reliability ? ` (${reliability})` : ''}:`);
    for (const key of [...PERCENTILE_KEYS, 'meshCpuCores', 'meshMemoryBytes'] as const) {
      const delta = shownDelta(comparison, key);
      const why = delta.mark === NO_INTERVAL || delta.mark === NOT_SIGNIFICANT ? ` (${delta.reason})` : '';
      lines.push(`  ${DELTA_LABELS[key]}: ${deltaLine(delta)}${why}`);
    }
  }
  if (comparisons.length > 0) lines.push(legend(comparisons));
  return lines;
}

/** A table's rows as lines of "column: value" pairs, for a log that has no tables. */
export const labelled = (head: readonly string[], rows: readonly string[][]): string[] => rows.map((row) => row.map((cell, i) => `${head[i]}: ${cell}`).join('; '));

/** The call chain's tax per depth and per hop, and the mesh cost per node, as the other reports show them. */
export function beyondOneHopLines(run: RunDocument): string[] {
  const lines: string[] = [];
  const chains = run.chains ?? [];
  if (chains.length > 0) lines.push('call chain: the tax per depth and per hop', ...labelled(CHAIN_HEAD, chainRows(chains)), CHAIN_NOTE);
  const nodes = nodeRows(splitComparisons(run.comparisons, run.phases).valid);
  if (nodes.length > 0) lines.push('mesh cost per node', ...labelled(NODE_HEAD, nodes), NODE_NOTE);
  return lines;
}

/** One testsuite's counts, as junit.xml's testsuite and testsuites elements carry them. */
export interface JunitCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export const countsAttributes = (c: JunitCounts): string => `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;

/**
 * The run's testsuite element (indented for inside <testsuites>) and its counts. `service` names the service in a
 * pilot of several runs: it goes into the suite's name and every test case's classname, so CI lists each service's
 * results apart.
 */
export function junitSuite(run: RunDocument, service?: string): { xml: string; counts: JunitCounts } {
  const classname = (mode: string): string => attr(service === undefined ? `meshtax.${mode}` : `meshtax.${service}.${mode}`);
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  for (const t of run.thresholds) {
    const open = `    <testcase classname="${classname(t.mode)}" name="${attr(thresholdName(t))}" time="0"`;
    if (t.status === 'pass') {
      cases.push(`${open}/>`);
    } else if (t.status === 'fail') {
      failures++;
      cases.push(`${open}>\n      <failure message="${attr(t.reason)}" type="threshold">${xmlEscape(thresholdDetail(t))}</failure>\n    </testcase>`);
    } else if (t.status === 'invalid') {
      errors++;
      cases.push(`${open}>\n      <error message="${attr(t.reason)}" type="invalid-measurement">${xmlEscape(thresholdDetail(t))}</error>\n    </testcase>`);
    } else {
      skipped++;
      cases.push(`${open}>\n      <skipped message="${attr(t.reason)}"/>\n    </testcase>`);
    }
  }
  for (const f of run.failures) {
    const name = `phase @ ${formatRate(f.rate)} rps, repetition ${f.repetition}`;
    cases.push(
      `    <testcase classname="${classname(f.mode)}" name="${attr(name)}" time="0">\n` +
        `      <error message="${attr(f.error)}" type="phase-failure">${xmlEscape(f.error)}</error>\n    </testcase>`,
    );
  }
  const invalid = invalidCases(run, classname);
  cases.push(...invalid);
  errors += run.failures.length + invalid.length;
  const counts = { tests: cases.length, failures, errors, skipped };
  const properties = [
    ...(service === undefined ? [] : [['service', service]]),
    ['run-id', run.runId],
    ['status', run.status],
    ['meshtax-version', run.tool.version],
    ...environmentProperty(run),
  ]
    .map(([name, value]) => `      <property name="${attr(name!)}" value="${attr(value!)}"/>`)
    .join('\n');
  const suiteName = service === undefined ? 'meshtax thresholds' : `meshtax thresholds: ${service}`;
  const tax = [...meshTaxLines(run.comparisons), ...beyondOneHopLines(run), ...warningLines([], run.warnings)];
  const xml = [
    `  <testsuite name="${attr(suiteName)}" ${countsAttributes(counts)} time="0" timestamp="${attr(run.startedAt)}">`,
    '    <properties>',
    properties,
    '    </properties>',
    ...cases,
    ...(tax.length > 0 ? [`    <system-out>${xmlEscape(tax.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
  ].join('\n');
  return { xml, counts };
}

/** Several testsuites in one junit.xml document, the root carrying their summed counts. */
export function junitDocument(suites: readonly { xml: string; counts: JunitCounts }[]): string {
  const total = suites.reduce(
    (sum, { counts }) => ({ tests: sum.tests + counts.tests, failures: sum.failures + counts.failures, errors: sum.errors + counts.errors, skipped: sum.skipped + counts.skipped }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="meshtax" ${countsAttributes(total)}>`, ...suites.map((suite) => suite.xml), '</testsuites>', ''].join('\n');
}

export function junitReport(run: RunDocument): string {
  return junitDocument([junitSuite(run)]);
}
