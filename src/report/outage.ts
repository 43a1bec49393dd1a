import type { OutageRecord, PhaseRecord, TrafficSpan } from '../results/schema.ts';
import { formatRate, formatUs } from '../core/format.ts';

/**
 * The control-plane outage of each phase that had one (faults.controlPlaneOutage), as every text report shows it:
 * one summary row per phase (what was stopped and when, traffic before, during and after, the recovery and the pod
 * started during the outage), and the phase second by second. Cells are plain strings; the reports lay them out.
 */

export interface OutagePhase {
  phase: PhaseRecord;
  outage: OutageRecord;
}

export function outagePhases(phases: readonly PhaseRecord[]): OutagePhase[] {
  return phases.flatMap((phase) => (phase.controlPlaneOutage ? [{ phase, outage: phase.controlPlaneOutage }] : []));
}

/** An API server's message cut for a table cell (run.json keeps it whole). */
const short = (text: string): string => (text.length > 120 ? `${text.slice(0, 119)}…` : text);
const seconds = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)} s`);
const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 3 : 1)}%`);

/** "0.0% failed, p99 1.20 ms (8 s)" */
export function spanText(span: TrafficSpan): string {
  if (span.seconds === 0) return '—';
  return `${percent(span.errorRate)} failed, p99 ${formatUs(span.p99Us)} (${span.seconds} s)`;
}

export function probeText(outage: OutageRecord): string {
  const probe = outage.probePod;
  if (!probe) return 'not started';
  if (!probe.admitted) return `refused: ${short(probe.error ?? 'no reason given')}`;
  const proxy = probe.injected === null ? '' : probe.injected ? 'got its proxy, ' : 'no proxy, ';
  const ready =
    probe.readyAfterS === null ? 'never Ready' : probe.readyDuringOutage ? `Ready during the outage (${seconds(probe.readyAfterS)})` : `Ready ${seconds(probe.readyAfterS)} after creation, after the restore`;
  return `${proxy}${ready}`;
}

export function recoveryText(outage: OutageRecord): string {
  if (!outage.restored) return `NOT RESTORED: ${outage.error ?? 'unknown error'}`;
  if (outage.startS === null) return `never stopped${outage.error ? `: ${outage.error}` : ''}`;
  const { controlPlaneReadyS, firstOkSecond, trafficRecoveredSecond } = outage.recovery;
  return [
    `control plane Ready ${controlPlaneReadyS === null ? 'not within the recovery timeout' : `${seconds(controlPlaneReadyS)} after restore`}`,
    `first ok request in second ${firstOkSecond ?? '—'}`,
    `traffic back to pre-outage errors from second ${trafficRecoveredSecond ?? '— (not within the window)'}`,
  ].join('; ');
}

export const OUTAGE_HEAD = ['mode', 'rate', 'rep', 'stopped', 'down', 'before', 'during', 'after', 'recovery', 'pod started during the outage'];

export function outageRows({ phase, outage }: OutagePhase, gap = ' '): string[] {
  const stopped = outage.components.map((c) => `${c.namespace}/${c.name} (${c.replicas})`).join(`,${gap}`) || '—';
  const down = outage.startS === null ? '—' : `${seconds(outage.startS)} → ${seconds(outage.restoreS)}`;
  return [
    phase.mode,
    formatRate(phase.rate),
    String(phase.repetition),
    stopped,
    down,
    spanText(outage.traffic.before),
    spanText(outage.traffic.during),
    spanText(outage.traffic.after),
    recoveryText(outage).replaceAll('; ', `;${gap}`),
    probeText(outage),
  ];
}

export const SECOND_HEAD = ['second', 'span', 'ok', 'failed', 'p50', 'p99', 'max'];

export function secondRows(outage: OutageRecord): string[][] {
  return outage.seconds.map((s) => [String(s.second), s.span, String(s.ok), String(s.failed), formatUs(s.p50Us), formatUs(s.p99Us), formatUs(s.maxUs)]);
}

/** Failures per second on one line, the outage's seconds in brackets: "0 0 [12 40 3] 0". */
export function failuresLine(outage: OutageRecord): string {
  let text = '';
  let inside = false;
  for (const s of outage.seconds) {
    if (s.span === 'during' && !inside) {
      text += '[';
      inside = true;
    } else if (s.span !== 'during' && inside) {
      text = `${text.trimEnd()}] `;
      inside = false;
    }
    text += `${s.failed} `;
  }
  return `${text.trimEnd()}${inside ? ']' : ''}`;
}

export const OUTAGE_NOTE =
  'seconds of the measured window by intended send time; "down": from its pods gone (after the scale to zero) to the restore; before/during/after: the seconds outside, overlapping and after the outage; ' +
  'recovery to pre-outage errors: the first second from which no second fails more often than before the outage.';
