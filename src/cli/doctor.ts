import Table from 'cli-table3';
import type { Check } from '../doctor/check.ts';
import { kubernetesChecks } from '../doctor/kubernetes.ts';
import { localChecks } from '../doctor/local.ts';
import { connect } from '../runtimes/kubernetes/client/connect.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

export interface DoctorFlags {
  runtime: string;
  json: boolean;
  context?: string;
}

/** `meshtax doctor`: whether this machine can run a runtime, and what would make its numbers less trustworthy. */
export async function doctorCommand(flags: DoctorFlags): Promise<ExitCode> {
  if (flags.runtime !== 'local' && flags.runtime !== 'kubernetes') throw new UsageError(`--runtime ${flags.runtime}: runtimes are local and kubernetes`);
  const checks = flags.runtime === 'kubernetes' ? await kubernetesChecks(connect(flags.context)) : await localChecks();
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ runtime: flags.runtime, checks }, null, 2)}\n`);
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
