import Table from 'cli-table3';
import { controlPlaneLines } from './control-plane.ts';
import { splitComparisons, validityOf, validityText } from '../analysis/validity.ts';
import type { Comparison, PhaseRecord, RunDocument } from '../results/schema.ts';
import { endpointTable } from './endpoints.ts';
import { runLoop } from './loop.ts';
import { formatBytes, formatCores, formatCount, formatRate, formatUs, modeLabel } from '../core/format.ts';
import { CHAIN_HEAD, CHAIN_NOTE, chainRows } from './chains.ts';
import { NODE_HEAD, NODE_NOTE, nodeRows } from './per-node.ts';
import { failuresLine, OUTAGE_HEAD, OUTAGE_NOTE, outagePhases, outageRows } from './outage.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { legend, LOW_RELIABILITY, MissingReasons, reliabilityMark, shownDelta, type DeltaKey } from './uncertainty.ts';

/**
 * The terminal summary: one row per phase, latency from the intended send time, then the warnings with hints.
 * Plain text (no colours) so it reads the same in a CI log.
 */
export function phaseTable(phases: readonly PhaseRecord[]): string {
  const table = new Table({
    head: ['mode', 'rep', 'rate', 'achieved', 'p50', 'p90', 'p99', 'p99.9', 'max', 'ok', 'failed'],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const phase of phases) {
    const latency = phase.latencyUs;
    table.push([
      modeLabel(phase),
      String(phase.repetition),
      formatRate(phase.rate),
      formatRate(phase.achievedRps),
      formatUs(latency.p50),
      formatUs(latency.p90),
      formatUs(latency.p99),
      formatUs(latency.p999),
      formatUs(latency.max),
      formatCount(phase.counts.ok),
      formatCount(phase.counts.errors + phase.counts.timeouts + phase.counts.non2xx),
    ]);
  }
  return table.toString();
}

/**
 * The mesh tax: each mode against baseline at each rate, latency deltas from pooled histograms and proxy cost. Each
 * delta shows its interval under it and, on a third line, "not significant" or "no interval" with a footnote that
 * says why; the rounds column says "low reliability" when there are 2–4.
 */
export function comparisonTable(comparisons: readonly Comparison[]): string {
  const table = new Table({
    head: ['mode', 'rate', 'rounds', 'Δp50', 'Δp90', 'Δp99', 'Δp99.9', 'mesh CPU', 'CPU/1k rps', 'mesh memory', 'per proxy'],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const missing = new MissingReasons();
  const cell = (row: Comparison, key: DeltaKey): string => {
    const delta = shownDelta(row, key);
    return [delta.value, delta.range, delta.mark && `${delta.mark}${missing.mark(delta)}`].filter(Boolean).join('\n');
  };
  for (const row of comparisons) {
    const reliability = reliabilityMark(row);
    table.push([
      modeLabel(row),
      formatRate(row.rate),
      reliability ? `${row.repetitions}\n${LOW_RELIABILITY}` : String(row.repetitions),
      cell(row, 'p50'),
      cell(row, 'p90'),
      cell(row, 'p99'),
      cell(row, 'p999'),
      cell(row, 'meshCpuCores'),
      formatCores(row.meshCpuPer1kRps),
      cell(row, 'meshMemoryBytes'),
      formatBytes(row.meshMemoryPerProxyBytes),
    ]);
  }
  return [table.toString(), legend(comparisons), ...missing.notes()].join('\n');
}

function plainTable(head: readonly string[], rows: readonly string[][]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

/** The call-chain table (see chains.ts). */
export function chainTable(chains: NonNullable<RunDocument['chains']>): string {
  return [plainTable(CHAIN_HEAD, chainRows(chains, '\n')), CHAIN_NOTE].join('\n');
}

/** Which proxy carried the traffic, as every report must say (on Kubernetes: the cluster and its meshes), in the runtime's own words; undefined when it recorded too little. */
export function proxyLine(run: RunDocument): string | undefined {
  return runtimeFacts(run.environment.runtime).line;
}

/**
 * Run warnings, then phase warnings grouped by code (as report.md groups them): a warning every phase raises is one
 * entry naming the phases, not one line per phase. The first phase's message stands for the group.
 */
export function warningLines(phases: readonly PhaseRecord[], runWarnings: RunDocument['warnings']): string[] {
  const lines: string[] = [];
  for (const warning of runWarnings) {
    lines.push(`warning: ${warning.message}`);
    if (warning.hint) lines.push(`  hint: ${warning.hint}`);
  }
  const groups = new Map<string, { warning: PhaseRecord['warnings'][number]; phases: PhaseRecord[] }>();
  for (const phase of phases) {
    for (const warning of phase.warnings) {
      const group = groups.get(warning.code);
      if (!group) groups.set(warning.code, { warning, phases: [phase] });
      else if (group.phases.at(-1) !== phase) group.phases.push(phase);
    }
  }
  for (const { warning, phases: raised } of groups.values()) {
    lines.push(`warning ${warning.code} [${phaseGroupLabel(raised)}]: ${warning.message}`);
    if (warning.hint) lines.push(`  hint: ${warning.hint}`);
  }
  return lines;
}

const THRESHOLD_MARK: Record<RunDocument['thresholds'][number]['status'], string> = { pass: 'pass', fail: 'FAIL', 'no-data': 'no data', invalid: 'INVALID' };

/** Invalid phases, and the comparisons built on them (left out of the mesh-tax table), each with why. */
export function invalidLines(phases: readonly PhaseRecord[], comparisons: readonly Comparison[]): string[] {
  const lines: string[] = [];
  for (const phase of phases) {
    const validity = validityOf(phase);
    if (!validity.valid) lines.push(`invalid [${modeLabel(phase)} @ ${formatRate(phase.rate)} rps, rep ${phase.repetition}]: ${validityText(validity)}`);
  }
  for (const { comparison, validity } of splitComparisons(comparisons, phases).invalid) {
    lines.push(`${modeLabel(comparison)} at ${formatRate(comparison.rate)} rps: invalid measurement, not mesh tax: ${validityText(validity)}`);
  }
  return lines;
}

/** `sidecar @ 1000 rps, rep 1` for one phase; `6 phases: baseline ×2, sidecar ×2, node-proxy ×2` for several. */
function phaseGroupLabel(phases: readonly PhaseRecord[]): string {
  if (phases.length === 1) {
    const [phase] = phases as [PhaseRecord];
    return `${modeLabel(phase)} @ ${formatRate(phase.rate)} rps, rep ${phase.repetition}`;
  }
  const perMode = new Map<string, number>();
  for (const phase of phases) perMode.set(phase.mode, (perMode.get(phase.mode) ?? 0) + 1);
  const modes = [...perMode].map(([mode, count]) => (count > 1 ? `${mode} ×${count}` : mode)).join(', ');
  return `${phases.length} phases: ${modes}`;
}

/** What the latency column means: from the intended send time in the open loop, from the send in the closed loop. */
function latencyLine(run: RunDocument): string {
  return runLoop(run) === 'closed'
    ? 'latency is measured from each request\'s send (closed loop: each connection sends when its previous response arrives; the rate is what the target sustained)'
    : 'latency is measured from the intended send time (open loop, corrected for coordinated omission)';
}

export function runSummary(run: RunDocument, runFile: string): string {
  const lines = [
    `meshtax run ${run.runId}: ${run.status}${run.error ? ` — ${run.error}` : ''}`,
    latencyLine(run),
  ];
  const proxy = run.phases.some((phase) => phase.mode !== 'baseline') ? proxyLine(run) : undefined;
  if (proxy) lines.push(proxy);
  if (run.phases.length > 0) lines.push(phaseTable(run.phases));
  const { valid } = splitComparisons(run.comparisons, run.phases);
  if (valid.length > 0) {
    lines.push('mesh tax against baseline (latency: pooled histograms; CPU and memory: the proxies)');
    lines.push(comparisonTable(valid), ...controlPlaneLines(valid));
    const perNode = nodeRows(valid);
    if (perNode.length > 0) {
      lines.push('mesh cost per node');
      lines.push(plainTable(NODE_HEAD, perNode), NODE_NOTE);
    }
  }
  if (run.chains && run.chains.length > 0) {
    lines.push('call chain: the tax per depth and per hop');
    lines.push(chainTable(run.chains));
  }
  const outages = outagePhases(run.phases);
  if (outages.length > 0) {
    lines.push('control-plane outage');
    lines.push(plainTable(OUTAGE_HEAD, outages.map((o) => outageRows(o, '\n'))), OUTAGE_NOTE);
    for (const o of outages) lines.push(`failures by second [${o.phase.mode} @ ${formatRate(o.phase.rate)} rps, rep ${o.phase.repetition}]: ${failuresLine(o.outage)}`);
  }
  const endpoints = endpointTable(run.phases);
  if (endpoints) lines.push(endpoints);
  lines.push(...invalidLines(run.phases, run.comparisons));
  for (const result of run.thresholds) {
    const mark = THRESHOLD_MARK[result.status];
    lines.push(`threshold ${mark}: ${result.reason}`);
  }
  for (const failure of run.failures) {
    lines.push(`failed [${failure.mode} @ ${formatRate(failure.rate)} rps, rep ${failure.repetition}]: ${failure.error}`);
  }
  lines.push(...warningLines(run.phases, run.warnings));
  lines.push(`results: ${runFile}`);
  return lines.join('\n');
}
