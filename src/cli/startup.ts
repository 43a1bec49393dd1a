import { STARTUP_REPORT_FILES, startupCsv, startupHtml, startupJunit } from '../report/startup-formats.ts';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Table from 'cli-table3';
import { writeFileAtomically } from '../results/atomic-write.ts';
import { newRunId } from '../results/run-id.ts';
import { startupHead, startupMarkdown, startupNote, startupRows } from '../report/startup.ts';
import { runtimeFor } from '../runtimes/registry.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { parseSize } from '../scenario/units.ts';
import { startupSchema, type StartupMeasured } from '../startup/schema.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';
import { cleanupScope, interrupted } from './interrupt.ts';
import { requireWritableDir } from './out-dir.ts';
import { EMBEDDED_DEFAULT } from './run.ts';

export interface StartupFlags {
  pods: string;
  rounds: string;
  set: string[];
  out?: string;
  json: boolean;
  context?: string;
  nodeCpu?: string;
  nodeMemory?: string;
  nodeMaxPods: string;
}

export const STARTUP_FILE = 'startup.json';

function count(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}; got ${text}`);
  return value;
}

/** --node-cpu and --node-memory together, or neither (then the chosen node's allocatable). */
function nodeFlags(flags: StartupFlags): { name: string; cpuCores: number; memoryBytes: number; maxPods: number } | undefined {
  if (flags.nodeCpu === undefined && flags.nodeMemory === undefined) return undefined;
  if (flags.nodeCpu === undefined || flags.nodeMemory === undefined) throw new UsageError('--node-cpu and --node-memory go together (e.g. --node-cpu 4 --node-memory 16GiB)');
  const cpuCores = Number(flags.nodeCpu);
  if (!(cpuCores > 0)) throw new UsageError(`--node-cpu must be a number of cores above 0; got ${flags.nodeCpu}`);
  let memoryBytes: number;
  try {
    memoryBytes = parseSize(flags.nodeMemory);
  } catch (error) {
    throw new UsageError(`--node-memory: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { name: 'given', cpuCores, memoryBytes, maxPods: count('--node-max-pods', flags.nodeMaxPods, 10_000) };
}

/**
 * `meshtax startup`: how long a pod of each mode takes to start, and what the mesh adds to every pod. Kubernetes:
 * creation to Ready and to the first answer through the mesh for M pods per mode and round, the requests the mesh's
 * admission added, pods per node. Local: the time until a new proxied "pod" answers. Writes <out>/<id>/startup.json, startup.md, startup.html, startup.csv
 * and junit.xml.
 */
export async function startupCommand(scenarioPath: string | undefined, flags: StartupFlags): Promise<ExitCode> {
  const sets = flags.context === undefined ? flags.set : [...flags.set, `kubernetes.context=${JSON.stringify(flags.context)}`];
  const loaded = await loadScenarioFile(scenarioPath ?? EMBEDDED_DEFAULT, sets);
  const runtime = runtimeFor(loaded);
  const pods = count('--pods', flags.pods, 1000);
  const rounds = count('--rounds', flags.rounds, 100);
  const node = nodeFlags(flags);
  const outDir = flags.out ?? loaded.scenario.output.dir;
  await requireWritableDir(outDir, flags.out === undefined ? 'output.dir' : '--out');
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const endScope = cleanupScope();
  let measured: StartupMeasured;
  try {
    const options = { pods, rounds, signal: interrupted, ...(node ? { node } : {}) };
    measured = await (await runtime.commands()).startup(loaded.scenario, runId, options);
  } catch (error) {
    if (interrupted.aborted) {
      process.stderr.write('meshtax: start-up measurement interrupted; what it created is removed\n');
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    endScope();
  }
  const result = startupSchema.parse({ ...measured, startedAt, finishedAt: new Date().toISOString(), scenarioSource: loaded.source });
  const dir = path.resolve(outDir, runId);
  await mkdir(dir, { recursive: true });
  await writeFileAtomically(path.join(dir, STARTUP_FILE), `${JSON.stringify(result, null, 2)}\n`);
  await writeFileAtomically(path.join(dir, 'startup.md'), startupMarkdown(result));
  await writeFileAtomically(path.join(dir, STARTUP_REPORT_FILES.html), startupHtml(result));
  await writeFileAtomically(path.join(dir, STARTUP_REPORT_FILES.csv), startupCsv(result));
  await writeFileAtomically(path.join(dir, STARTUP_REPORT_FILES.junit), startupJunit(result));
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const table = new Table({ head: startupHead(result), style: { head: [], border: [] } });
    for (const row of startupRows(result)) table.push(row);
    process.stdout.write(`meshtax startup ${runId} (${result.runtime})\n${table.toString()}\n${startupNote(result)}\nresults: ${path.join(dir, STARTUP_FILE)}\n`);
  }
  const failed = result.modes.reduce((sum, mode) => sum + mode.failed, 0);
  if (failed > 0) process.stderr.write(`meshtax: ${failed} pod(s) did not start within the timeout (kubernetes.timeouts.rollout); see ${STARTUP_FILE}\n`);
  // Where start-up is the first answer (locally) the count above is already this one.
  const separate = result.measures !== 'start-to-first-answer';
  const unanswered = separate ? result.modes.reduce((sum, mode) => sum + (mode.firstAnswer.measured ? mode.firstAnswer.unanswered : 0), 0) : 0;
  if (unanswered > 0) process.stderr.write(`meshtax: ${unanswered} pod(s) did not answer a request through the mesh within the timeout; see ${STARTUP_FILE}\n`);
  for (const mode of result.modes) {
    if (!mode.firstAnswer.measured) process.stderr.write(`meshtax: ${mode.mode}: first answer through the mesh not measured: ${mode.firstAnswer.reason}\n`);
  }
  return failed > 0 || unanswered > 0 ? EXIT.runFailed : EXIT.ok;
}
