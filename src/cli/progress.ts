import cliProgress from 'cli-progress';
import { Option } from 'commander';
import type { ProgressEvent } from '../loadgen/types.ts';
import type { PlannedPhase } from '../scenario/plan.ts';
import type { RunObserver } from '../pipeline/run.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { formatRate, formatUs, modeLabel } from '../core/format.ts';

export const PROGRESS_STYLES = ['bar', 'plain', 'none'] as const;
export type ProgressStyle = (typeof PROGRESS_STYLES)[number];

/** `--progress`, shared by the commands that drive load. */
export const progressOption = (): Option =>
  new Option('--progress <style>', 'progress on stderr: bar (redrawn), plain (one line per phase, for CI logs) or none; default: bar on a terminal, plain otherwise').choices(PROGRESS_STYLES);

/** `--quiet`, shared by the commands that drive load. */
export const quietOption = (outcome: string): Option => new Option('--quiet', `no progress, and only ${outcome} on stdout`).default(false);

export interface ProgressFlags {
  progress?: ProgressStyle;
  quiet: boolean;
}

/** The style a command draws with: --quiet wins, then --progress, then what the stream is (a CI log is no terminal). */
export function progressStyle(flags: ProgressFlags, stream: NodeJS.WriteStream = process.stderr): ProgressStyle {
  if (flags.quiet) return 'none';
  return flags.progress ?? (stream.isTTY ? 'bar' : 'plain');
}

export type ProgressObserver = RunObserver & { stop(): void };

/**
 * Progress on stderr, never on stdout (stdout carries the summary or JSON). It subscribes to the pipeline's events;
 * the engine never draws. `bar` redraws one line; `plain` writes one line when a phase ends, so a CI log that is not
 * a terminal still shows the run moving (a Kubernetes pilot runs for half an hour).
 */
export function progressObserver(
  style: ProgressStyle,
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  label: PhaseLabel = phaseLabel,
): ProgressObserver {
  if (style === 'none') return { stop: () => {} };
  if (style === 'plain') return plainObserver(stream, label);
  return barObserver(stream, label);
}

/** How a progress line names a phase: `[3/6] node-proxy @ 1000 rps rep 1` for run; load names its target. */
export type PhaseLabel = (phase: PlannedPhase, index: number, total: number) => string;

const phaseLabel: PhaseLabel = (phase, index, total) =>
  `[${index + 1}/${total}] ${modeLabel(phase)} @ ${phase.rate === null ? 'closed loop' : `${formatRate(phase.rate)} rps`} rep ${phase.repetition}`;

/**
 * `[3/6] node-proxy @ 1000 rps rep 1: p50 125 µs, done` once per phase; a failed phase says why. Bringing modes up
 * and cleaning up get a line before and after: on a cluster each takes minutes, and a CI log must not go quiet.
 */
function plainObserver(stream: NodeJS.WritableStream, phaseLabel: PhaseLabel): ProgressObserver {
  let label = '';
  return {
    runStarted(runId, runDir, phases) {
      stream.write(`meshtax run ${runId}: ${phases} phase${phases === 1 ? '' : 's'}, results in ${runDir}\n`);
    },
    activating({ down, up }) {
      stream.write(`${down.length > 0 ? `taking down ${down.join(', ')}; ` : ''}bringing up ${up.join(', ')}\n`);
    },
    activated(modes) {
      stream.write(`up: ${modes.join(', ')}\n`);
    },
    cleaningUp() {
      stream.write('cleaning up\n');
    },
    cleanedUp(error) {
      stream.write(`${error ?? 'cleaned up'}\n`);
    },
    phaseStarted(phase, index, total) {
      label = phaseLabel(phase, index, total);
    },
    phaseFinished(_phase, _index, _total, record?: PhaseRecord) {
      const figures = record ? phaseFigures(record) : '';
      stream.write(`${label}: ${figures}done\n`);
    },
    phaseFailed(_phase, error) {
      stream.write(`${label}: failed: ${error}\n`);
    },
    stop() {},
  };
}

/** `p50 125 µs, p99 310 µs, 1 000 rps, 3 failed, ` — the figures a log reader scans for. */
function phaseFigures(record: PhaseRecord): string {
  const failed = record.counts.errors + record.counts.timeouts + record.counts.non2xx;
  const parts = [`p50 ${formatUs(record.latencyUs.p50)}`, `p99 ${formatUs(record.latencyUs.p99)}`, `${formatRate(record.achievedRps)} rps`];
  if (failed > 0) parts.push(`${failed} failed`);
  return `${parts.join(', ')}, `;
}

function barObserver(stream: NodeJS.WritableStream & { isTTY?: boolean }, phaseLabel: PhaseLabel): ProgressObserver {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: '{label} [{bar}] {stage} {value}/{total} s | {completed} ok {errors} failed',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
      // --progress=bar asked for explicitly on a pipe: cli-progress then writes a line every few seconds.
      noTTYOutput: !stream.isTTY,
    },
    cliProgress.Presets.shades_classic,
  );
  let label = '';
  let active = false;
  return {
    phaseStarted(phase, index, total) {
      label = phaseLabel(phase, index, total);
    },
    progress(event: ProgressEvent) {
      const payload = { label, stage: event.stage, completed: event.completed, errors: event.errors };
      const totalS = Math.round(event.totalMs / 1000);
      const valueS = Math.round(event.elapsedMs / 1000);
      if (!active) {
        bar.start(totalS, valueS, payload);
        active = true;
      } else {
        bar.setTotal(totalS);
        bar.update(valueS, payload);
      }
    },
    phaseFinished() {
      if (active) bar.stop();
      active = false;
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
