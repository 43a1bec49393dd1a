import Table from 'cli-table3';
import type { RunDocument } from '../results/schema.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { formatCount, formatRate, formatUs } from './format.ts';

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
      phase.mode,
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

export function warningLines(phases: readonly PhaseRecord[], runWarnings: RunDocument['warnings']): string[] {
  const lines: string[] = [];
  for (const warning of runWarnings) {
    lines.push(`warning: ${warning.message}`);
    if (warning.hint) lines.push(`  hint: ${warning.hint}`);
  }
  for (const phase of phases) {
    for (const warning of phase.warnings) {
      lines.push(`warning [${phase.mode} @ ${formatRate(phase.rate)} rps, rep ${phase.repetition}]: ${warning.message}`);
      if (warning.hint) lines.push(`  hint: ${warning.hint}`);
    }
  }
  return lines;
}

export function runSummary(run: RunDocument, runFile: string): string {
  const lines = [
    `meshtax run ${run.runId}: ${run.status}${run.error ? ` — ${run.error}` : ''}`,
    'latency is measured from the intended send time (open loop, corrected for coordinated omission)',
  ];
  if (run.phases.length > 0) lines.push(phaseTable(run.phases));
  lines.push(...warningLines(run.phases, run.warnings));
  lines.push(`results: ${runFile}`);
  return lines.join('\n');
}
