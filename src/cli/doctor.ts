import Table from 'cli-table3';
import type { Check } from '../runtimes/check.ts';
import { DEFAULT_RUNTIME, runtimeNamed } from '../runtimes/registry.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

export interface DoctorFlags {
  runtime?: string;
  json: boolean;
  context?: string;
}

/** `meshtax doctor`: whether this machine can run a runtime, and what would make its numbers less trustworthy. */
export async function doctorCommand(scenarioPath: string | undefined, flags: DoctorFlags): Promise<ExitCode> {
  const scenario = scenarioPath === undefined ? undefined : (await loadScenarioFile(scenarioPath, [])).scenario;
  const entry = runtimeNamed(flags.runtime ?? scenario?.runtime ?? DEFAULT_RUNTIME);
  if (scenario && scenario.runtime !== entry.name) throw new UsageError(`${scenarioPath} is a scenario for runtime ${scenario.runtime}, not ${entry.name}`);
  const checks = await (await entry.commands()).doctor({ scenario, context: flags.context });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ runtime: entry.name, checks }, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(checks)}\n`);
  }
  return checks.some((check) => check.status === 'fail') ? EXIT.runFailed : EXIT.ok;
}

function render(checks: readonly Check[]): string {
  const table = new Table({ head: ['check', 'status', 'detail'], style: { head: [], border: [] }, wordWrap: true, colWidths: [20, 8, 70] });
  for (const check of checks) table.push([check.name, check.status, check.detail]);
  const hints = checks.filter((check) => check.hint).map((check) => `hint (${check.name}): ${check.hint}`);
  return [table.toString(), ...hints].join('\n');
}
