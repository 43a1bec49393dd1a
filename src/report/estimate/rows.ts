import type { EstimateResult, EstimatedMode, ModeEstimate, Range } from '../../estimate/result-schema.ts';
import { formatBytes, formatCount, formatDeltaUs, formatRate } from '../../core/format.ts';

/** The text every estimate format shows (terminal, Markdown, HTML), so the three agree to the digit. */

const GIB = 1024 ** 3;

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `36.60 (36.36–36.84)`; `36.60 (no interval)` when the run had none. The unit goes in the heading or after it. */
export function formatRange(range: Range, format: (x: number) => string): string {
  return range.low === null || range.high === null ? `${format(range.value)} (no interval)` : `${format(range.value)} (${format(range.low)}–${format(range.high)})`;
}

export const cores = (x: number): string => fixed(x, x < 10 ? 2 : 1);
export const gib = (bytes: number): string => fixed(bytes / GIB, 2);
export const nodes = (x: number): string => fixed(x, 2);
const whole = (x: number): string => fixed(x, 0);
const rate = (rps: number | null): string => (rps === null ? 'closed loop' : `${formatRate(rps)} rps`);

export function summaryHead(result: EstimateResult): string[] {
  return ['mode', 'measured at', 'CPU cores', 'memory GiB', 'nodes', `${result.fleet.currency} / month`, 'engineer hours / month'];
}

/** One row per mode for the summary table, each cell a figure with its interval. */
export function summaryRows(result: EstimateResult): string[][] {
  return result.modes.map((mode) => {
    if (mode.status === 'not-estimated') return [mode.mode, rate(mode.source.rate), 'not estimated: see below', '', '', '', ''];
    const priced = mode.money.byNodeMonth ?? mode.money.byResourceHours;
    return [
      mode.mode,
      rate(mode.source.rate),
      formatRange(mode.cpuCores, cores),
      formatRange(mode.memoryBytes, gib),
      `${formatRange(mode.nodes, nodes)}, ${mode.wholeNodes} whole`,
      priced === null ? '—' : formatRange(priced, whole),
      mode.engineerHours === null ? '—' : formatRange(mode.engineerHours, (x) => fixed(x, 1)),
    ];
  });
}

/** Where a mode's figures come from. */
export function sourceLine(mode: ModeEstimate): string {
  return `from run ${mode.source.runId} (${mode.source.file}), ${mode.mode} against ${mode.baseline} at ${rate(mode.source.rate)}`;
}

/** Sentences that show each estimated mode's arithmetic: the fixed parts, the traffic part, money both ways. */
export function breakdown(mode: EstimatedMode, currency: string): string[] {
  const lines = [sourceLine(mode)];
  lines.push(...mode.fixed.map(
    (part) =>
      `fixed, ${part.role}: ${fixed(part.idleCpuPerProxyCores, 4)} cores and ${formatBytes(part.idleMemoryPerProxyBytes)} per proxy at idle × ${formatCount(part.fleetProxies)} ${part.scaledBy} = ${cores(part.cpuCores)} cores, ${gib(part.memoryBytes)} GiB`,
  ));
  const t = mode.traffic;
  lines.push(
    `traffic: ${formatRange(t.cpuPer1kRps, (x) => fixed(x, 4))} cores and ${formatRange(t.memoryPer1kRpsBytes, formatBytes)} per 1000 rps above idle × ${formatCount(t.fleetRps)} rps / 1000 = ${formatRange(t.cpuCores, cores)} cores, ${formatRange(t.memoryBytes, gib)} GiB`,
  );
  if (mode.money.byNodeMonth) lines.push(`by node-month: ${formatRange(mode.money.byNodeMonth, whole)} ${currency} a month`);
  if (mode.money.byResourceHours) lines.push(`by core-hour and GiB-hour: ${formatRange(mode.money.byResourceHours, whole)} ${currency} a month`);
  const m = mode.measured;
  lines.push(
    `measured: mesh CPU ${formatRange({ value: m.meshCpuCores, low: m.meshCpuInterval?.low ?? null, high: m.meshCpuInterval?.high ?? null }, (x) => fixed(x, 3))} cores ` +
      `(idle ${fixed(m.idleCpuCores, 3)}), memory ${formatBytes(m.meshMemoryBytes)} (idle ${formatBytes(m.idleMemoryBytes)}) at ${formatRate(mode.source.achievedRps)} rps achieved, ` +
      `${mode.source.repetitions} repetition(s), ${Math.round(mode.source.confidence * 100)}% intervals; latency added per hop p50 ${formatDeltaUs(m.latencyDeltaUs.p50)}, p99 ${formatDeltaUs(m.latencyDeltaUs.p99)}`,
  );
  return [...lines, ...mode.notes];
}

/** A sentence on the network tax the team pays today, and what each mode costs in the same hours. */
export function networkTaxLine(result: EstimateResult): string | undefined {
  const tax = result.networkTax;
  if (!tax) return undefined;
  return `network tax today: ${fixed(tax.engineerHoursPerMonth, 0)} engineer hours a month × ${fixed(tax.hourlyCost, 0)} ${result.fleet.currency} = ${fixed(tax.monthlyCost, 0)} ${result.fleet.currency} a month; a mode pays for itself when it saves at least its "engineer hours / month".`;
}

export function fleetLine(result: EstimateResult): string {
  const f = result.fleet;
  return `fleet ${f.name}: ${formatCount(f.services)} services, ${formatCount(f.pods)} pods, ${formatCount(f.rps)} rps, ${formatCount(f.nodes)} nodes of ${f.nodeCores} cores and ${gib(f.nodeMemoryBytes)} GiB`;
}

export function unusedLines(result: EstimateResult): string[] {
  return result.unused.map((u) => `${u.mode} at ${formatRate(u.rate)} rps in ${u.file}: ${u.reason}`);
}

/** The lines under a mode's heading: its arithmetic, or why it could not be estimated. */
export function modeDetails(mode: ModeEstimate, currency: string): string[] {
  return mode.status === 'estimated' ? breakdown(mode, currency) : [sourceLine(mode), ...mode.reasons.map((reason) => `not estimated: ${reason}`)];
}
