import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../loadgen/types.ts';
import type { PlannedPhase } from '../pipeline/plan.ts';
import type { RunObserver } from '../pipeline/run.ts';
import { formatRate } from '../report/format.ts';

/**
 * Progress on stderr, drawn only when stderr is a terminal (a CI log or a pipe gets nothing). It subscribes to
 * the pipeline's events; the engine never draws.
 */
export function progressObserver(stream: NodeJS.WriteStream = process.stderr): RunObserver & { stop(): void } {
  if (!stream.isTTY) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} [{bar}] {stage} {value}/{total} s | {completed} ok {errors} failed',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let label = '';
  let active = false;
  const phaseLabel = (phase: PlannedPhase, index: number, total: number): string =>
    `[${index + 1}/${total}] ${phase.mode} @ ${formatRate(phase.rate)} rps rep ${phase.repetition}`;
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
