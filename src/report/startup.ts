import type { StartupResult } from '../startup/schema.ts';
import { formatBytes, formatCores } from '../core/format.ts';
import { NO_INTERVAL } from './uncertainty.ts';

/**
 * The start-up report: per mode the start-up percentiles, the median with its interval over rounds and against
 * baseline, where start-up is timed to Ready the first answer through the mesh beside it, what the mesh adds to
 * every pod and how many pods then fit on the node. Rows of plain strings, laid out by the terminal and by
 * startup.md.
 */

const msText = (ms: number): string =>
  ms < 0 ? `-${msText(-ms)}` : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
const range = (interval: { low: number; high: number } | null): string => (interval ? `[${msText(interval.low)}, ${msText(interval.high)}]` : NO_INTERVAL);
const signed = (ms: number): string => `${ms >= 0 ? '+' : '-'}${msText(Math.abs(ms))}`;

/** What the mesh adds to each pod and the density it leaves: shown when the runtime measured it (Kubernetes reads admitted pods). */
const perPodColumns = (result: StartupResult): boolean => result.modes.some((mode) => mode.added !== undefined && mode.added !== null);

/** First-answer columns: where the start-up time is not itself the time to the first answer. */
const firstAnswerColumns = (result: StartupResult): boolean => result.measures !== 'start-to-first-answer';

export const FIRST_ANSWER_HEAD = ['answered', 'first answer p50', 'first answer p90', 'first answer median over rounds', 'Δ first answer vs baseline'] as const;

export function startupHead(result: StartupResult): string[] {
  const kube = perPodColumns(result);
  return [
    'mode',
    'pods',
    'p50',
    'p90',
    'p99',
    'max',
    'median over rounds',
    'Δ median vs baseline',
    ...(firstAnswerColumns(result) ? FIRST_ANSWER_HEAD : []),
    ...(kube ? ['added per pod (requests)', 'added limits', 'injected', 'pods per node'] : []),
  ];
}

/** Indices of startupHead's columns that hold numbers (right-aligned in HTML). */
export function startupNumericColumns(result: StartupResult): number[] {
  const text = new Set(['mode', 'added per pod (requests)', 'added limits', 'injected']);
  return startupHead(result).flatMap((label, index) => (text.has(label) ? [] : [index]));
}

/** The mean of a list of per-round medians, or null without a round. */
const meanOf = (medians: readonly number[]): number | null => (medians.length > 0 ? medians.reduce((a, b) => a + b, 0) / medians.length : null);

function firstAnswerCells(mode: StartupResult['modes'][number]): string[] {
  const answer = mode.firstAnswer;
  if (!answer.measured) return ['not measured', '—', '—', '—', '—'];
  const median = meanOf(answer.perRoundP50Ms);
  return [
    `${answer.samples}${answer.unanswered > 0 ? ` (${answer.unanswered} unanswered)` : ''}`,
    answer.startupMs ? msText(answer.startupMs.p50) : '—',
    answer.startupMs ? msText(answer.startupMs.p90) : '—',
    median === null ? '—' : `${msText(median)} ${range(answer.p50IntervalMs)}`,
    answer.deltaP50Ms ? `${signed(answer.deltaP50Ms.estimate)} ${range(answer.deltaP50Ms.interval)}` : '—',
  ];
}

/** The mean of the rounds' medians (the estimate p50IntervalMs bounds), milliseconds; null without a round. */
export function roundMedianMs(mode: Pick<StartupResult['modes'][number], 'perRoundP50Ms'>): number | null {
  return meanOf(mode.perRoundP50Ms);
}

export function startupRows(result: StartupResult): string[][] {
  const baselineFit = result.modes.find((m) => m.mode === 'baseline')?.podsPerNode ?? null;
  return result.modes.map((mode) => {
    const times = mode.startupMs;
    const median = roundMedianMs(mode);
    const row = [
      mode.mode,
      `${mode.samples}${mode.failed > 0 ? ` (${mode.failed} failed)` : ''}`,
      times ? msText(times.p50) : '—',
      times ? msText(times.p90) : '—',
      times ? msText(times.p99) : '—',
      times ? msText(times.max) : '—',
      median === null ? '—' : `${msText(median)} ${range(mode.p50IntervalMs)}`,
      mode.deltaP50Ms ? `${signed(mode.deltaP50Ms.estimate)} ${range(mode.deltaP50Ms.interval)}` : '—',
      ...(firstAnswerColumns(result) ? firstAnswerCells(mode) : []),
    ];
    if (!perPodColumns(result)) return row;
    const added = mode.added;
    const fit = mode.podsPerNode;
    return [
      ...row,
      added ? `${formatCores(added.requests.cpuCores)} cores, ${formatBytes(added.requests.memoryBytes)}` : '—',
      added ? `${added.limits.cpuCores === null ? 'unbounded' : `${formatCores(added.limits.cpuCores)} cores`}, ${added.limits.memoryBytes === null ? 'unbounded' : formatBytes(added.limits.memoryBytes)}` : '—',
      added ? added.injectedContainers.join(', ') || 'none' : '—',
      fit === null ? '—' : `${fit}${baselineFit !== null && mode.mode !== 'baseline' ? ` (${fit - baselineFit >= 0 ? '+' : ''}${fit - baselineFit})` : ''}`,
    ];
  });
}

/**
 * What the first-answer columns time and how well: the prober's clock error, the pods whose time is only an upper
 * bound, and the modes without figures and why.
 */
function firstAnswerNote(result: StartupResult): string {
  if (!firstAnswerColumns(result)) return '';
  const measured = result.modes.flatMap((mode) => (mode.firstAnswer.measured ? [mode.firstAnswer] : []));
  const parts: string[] = [];
  if (measured.length > 0) {
    const error = Math.max(...measured.map((a) => a.clockErrorMs));
    const firstTry = measured.reduce((sum, a) => sum + a.firstTry, 0);
    parts.push(
      `first answer: from each pod's create request to its first 2xx through the mesh, asked every ${msText(measured[0]!.pollIntervalMs)} by a prober pod in the mode's namespace (taken by the mesh as its clients are) from when the pod had an address, on the prober's clock carried over within ±${msText(error)}`,
    );
    if (firstTry > 0) parts.push(`${firstTry} pod${firstTry === 1 ? '' : 's'} answered the first request, so ${firstTry === 1 ? 'its time is' : 'their times are'} an upper bound`);
  }
  for (const mode of result.modes) if (!mode.firstAnswer.measured) parts.push(`first answer not measured for ${mode.mode}: ${mode.firstAnswer.reason}`);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

/** The sentence under the table: what was timed, and on which node size the density was computed. */
export function startupNote(result: StartupResult): string {
  const what =
    result.measures === 'creation-to-ready'
      ? `creation to Ready: from each pod's create request to its Ready condition, seen by a watch; ${result.pods} pods per mode and round created at once`
      : `start to first answer: from starting a mode's pod and proxies to the first 200 through them; ${result.pods} pods per mode and round, one after another`;
  const node = result.node
    ? `; pods per node for ${result.node.name} (${formatCores(result.node.cpuCores)} cores, ${formatBytes(result.node.memoryBytes)}, at most ${result.node.maxPods} pods), by effective requests`
    : '';
  return `${what}${firstAnswerNote(result)}; ${result.rounds} round${result.rounds === 1 ? '' : 's'}, intervals 95% Student t over rounds${node}.`;
}

export function startupMarkdown(result: StartupResult): string {
  const head = startupHead(result);
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  return [
    `## meshtax startup — ${result.runtime}, run \`${result.runId}\``,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...startupRows(result).map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    startupNote(result),
    '',
  ].join('\n');
}
