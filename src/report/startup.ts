import type { StartupResult } from '../startup/schema.ts';
import { formatBytes, formatCores } from '../core/format.ts';
import { NO_INTERVAL } from './uncertainty.ts';

/**
 * The start-up report: per mode the start-up percentiles, the median with its interval over rounds and against
 * baseline, what the mesh adds to every pod and how many pods then fit on the node. Rows of plain strings, laid out
 * by the terminal and by startup.md.
 */

const msText = (ms: number): string =>
  ms < 0 ? `-${msText(-ms)}` : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
const range = (interval: { low: number; high: number } | null): string => (interval ? `[${msText(interval.low)}, ${msText(interval.high)}]` : NO_INTERVAL);
const signed = (ms: number): string => `${ms >= 0 ? '+' : '-'}${msText(Math.abs(ms))}`;

/** What the mesh adds to each pod and the density it leaves: shown when the runtime measured it (Kubernetes reads admitted pods). */
const perPodColumns = (result: StartupResult): boolean => result.modes.some((mode) => mode.added !== undefined && mode.added !== null);

export function startupHead(result: StartupResult): string[] {
  const kube = perPodColumns(result);
  return ['mode', 'pods', 'p50', 'p90', 'p99', 'max', 'median over rounds', 'Δ median vs baseline', ...(kube ? ['added per pod (requests)', 'added limits', 'injected', 'pods per node'] : [])];
}

/** The mean of the rounds' medians (the estimate p50IntervalMs bounds), milliseconds; null without a round. */
export function roundMedianMs(mode: StartupResult['modes'][number]): number | null {
  return mode.perRoundP50Ms.length > 0 ? mode.perRoundP50Ms.reduce((a, b) => a + b, 0) / mode.perRoundP50Ms.length : null;
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

/** The sentence under the table: what was timed, and on which node size the density was computed. */
export function startupNote(result: StartupResult): string {
  const what =
    result.measures === 'creation-to-ready'
      ? `creation to Ready: from each pod's create request to its Ready condition, seen by a watch; ${result.pods} pods per mode and round created at once`
      : `start to first answer: from starting a mode's pod and proxies to the first 200 through them; ${result.pods} pods per mode and round, one after another`;
  const node = result.node
    ? `; pods per node for ${result.node.name} (${formatCores(result.node.cpuCores)} cores, ${formatBytes(result.node.memoryBytes)}, at most ${result.node.maxPods} pods), by effective requests`
    : '';
  return `${what}; ${result.rounds} round${result.rounds === 1 ? '' : 's'}, intervals 95% Student t over rounds${node}.`;
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
