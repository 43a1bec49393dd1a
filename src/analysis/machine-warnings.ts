import type { PhaseRecord } from '../results/schema.ts';
import { formatRate } from '../core/format.ts';
import { type Warning } from '../core/warning.ts';

/**
 * Steal at or above this share of CPU time marks a machine as overloaded: the hypervisor took that much from every
 * thread (generator, server and proxies alike), in slices that land in the latency tail. Cloud providers' own
 * guidance treats sustained steal of 5–10% as a noisy or undersized instance; the lower end is used, since a
 * benchmark needs a quieter machine than a service does.
 */
export const HIGH_STEAL = 0.05;

export const MACHINE_OVERLOADED = 'machine-overloaded';

/**
 * The run-level `machine-overloaded` warning: in some measured phase the generator's machine had a 1-minute load
 * average above its core count (more runnable tasks than CPUs: threads waited for a core, so latencies include
 * that wait) or steal at or above HIGH_STEAL. Phases from files without machine state are skipped. `adHoc` names
 * the one phase of `meshtax load`, which has no mode or repetition: "during the measurement".
 */
export function machineWarnings(phases: readonly PhaseRecord[], adHoc = false): Warning[] {
  const overloaded: string[] = [];
  let worst: { load: number; cores: number } | undefined;
  let worstSteal = 0;
  for (const phase of phases) {
    const machine = phase.machine;
    if (!machine) continue;
    const load = Math.max(machine.loadAverage1m.start ?? 0, machine.loadAverage1m.end ?? 0);
    const steal = machine.stealFraction ?? 0;
    if (load <= machine.cores && steal < HIGH_STEAL) continue;
    overloaded.push(`${phase.mode} at ${formatRate(phase.rate)} rps, rep ${phase.repetition}`);
    if (load > machine.cores && (!worst || load / machine.cores > worst.load / worst.cores)) worst = { load, cores: machine.cores };
    worstSteal = Math.max(worstSteal, steal);
  }
  if (overloaded.length === 0) return [];
  const causes: string[] = [];
  if (worst) causes.push(`load average up to ${worst.load.toFixed(2)} on ${worst.cores} cores`);
  if (worstSteal >= HIGH_STEAL) causes.push(`CPU steal up to ${(worstSteal * 100).toFixed(1)}%`);
  const shown = overloaded.slice(0, 3).join('; ') + (overloaded.length > 3 ? `; and ${overloaded.length - 3} more` : '');
  const during = adHoc ? 'the measurement' : `${overloaded.length} of ${phases.length} phases`;
  return [
    {
      code: MACHINE_OVERLOADED,
      message: `the machine was overloaded during ${during} (${causes.join(', ')})${adHoc ? '' : `: ${shown}`}; its latencies include waits for a CPU`,
      hint: 'stop other work on the machine (or use a larger one) and run again; compare only runs made on equally quiet machines',
    },
  ];
}

/** The same warnings with machine-overloaded first: it changes how every other figure should be read. */
export function machineFirst(warnings: readonly Warning[]): Warning[] {
  return [...warnings.filter((w) => w.code === MACHINE_OVERLOADED), ...warnings.filter((w) => w.code !== MACHINE_OVERLOADED)];
}
