import { locateRunFile } from '../results/locate-run.ts';
import { readRunFile } from '../results/read-run.ts';
import { runSummary } from '../report/terminal.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';

export interface ShowFlags {
  results?: string;
  json: boolean;
}

/** `meshtax show <run-id | dir | run.json>`: the terminal summary `run` printed, again, from a run.json. */
export async function showCommand(target: string, flags: ShowFlags): Promise<ExitCode> {
  const file = await locateRunFile(target, flags.results);
  const run = await readRunFile(file);
  process.stdout.write(flags.json ? `${JSON.stringify(run, null, 2)}\n` : `${runSummary(run, file)}\n`);
  return EXIT.ok;
}
