import { cleanupRuns, CleanupError } from '../runtimes/kubernetes/cleanup.ts';
import { connect } from '../runtimes/kubernetes/client/connect.ts';
import { removeLocalLeftovers } from '../runtimes/local/netns/leftovers.ts';
import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../results/run-id.ts';
import { legacySecondsFlag } from './duration-flag.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

export interface CleanupFlags {
  runtime: string;
  runId?: string;
  all: boolean;
  context?: string;
  timeout: string;
  json: boolean;
  force: boolean;
  dryRun: boolean;
}

/** `meshtax cleanup`: deletes what runs left in the cluster (after --keep or a killed meshtax), by label; or on this host. */
export async function cleanupCommand(flags: CleanupFlags): Promise<ExitCode> {
  if ((flags.runId === undefined) === !flags.all) throw new UsageError('cleanup needs --run-id ID or --all (one of them)');
  // An empty or mistyped id must never widen to every run's namespaces.
  if (flags.runId !== undefined && !RUN_ID_PATTERN.test(flags.runId)) {
    throw new UsageError(`--run-id '${flags.runId}' is not ${RUN_ID_EXAMPLE}`);
  }
  if ((flags.force || flags.dryRun) && flags.runtime !== 'local') {
    throw new UsageError(`${flags.force ? '--force' : '--dry-run'} is for --runtime local; Kubernetes namespaces are found by label`);
  }
  if (flags.runtime === 'local') return cleanupLocal(flags);
  const timeoutMs = legacySecondsFlag('--timeout', flags.timeout, 1, 24 * 3600_000, (note) => process.stderr.write(`meshtax: ${note}\n`));
  const cluster = connect(flags.context);
  try {
    const result = await cleanupRuns(cluster, { ...(flags.runId !== undefined ? { runId: flags.runId } : {}), timeoutMs });
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.deleted.length === 0) process.stdout.write(`nothing to clean up in context ${cluster.context}${flags.runId ? ` for run ${flags.runId}` : ''}\n`);
    else for (const { namespace, runId } of result.deleted) process.stdout.write(`deleted namespace ${namespace} (run ${runId})\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CleanupError) {
      process.stderr.write(`meshtax: clean-up incomplete: ${error.message}\n`);
      return EXIT.runFailed;
    }
    throw error;
  }
}

/** `meshtax cleanup --runtime local`: what a killed local run left on this host. */
async function cleanupLocal(flags: CleanupFlags): Promise<ExitCode> {
  // Network namespaces and iptables rules need root; a run without root (isolation loopback) made none.
  const root = process.platform === 'linux' && process.getuid?.() === 0;
  const left = await removeLocalLeftovers(flags.runId, { network: root, force: flags.force, dryRun: flags.dryRun });
  const verb = flags.dryRun ? 'would delete' : 'deleted';
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ dryRun: flags.dryRun, ...left }, null, 2)}\n`);
  } else {
    for (const { runId, pid } of left.skipped) process.stdout.write(`skipped run ${runId}: still running (pid ${pid}); --force removes it anyway\n`);
    if (left.workDirs.length + left.namespaces.length + left.links.length + left.rules.length === 0) {
      process.stdout.write(`nothing to clean up on this host${flags.runId ? ` for run ${flags.runId}` : ''}\n`);
    }
    for (const name of left.workDirs) process.stdout.write(`${verb} directory ${name}\n`);
    for (const name of left.namespaces) process.stdout.write(`${verb} network namespace ${name}\n`);
    for (const name of left.links) process.stdout.write(`${verb} interface ${name}\n`);
    for (const { runId, count } of left.rules) process.stdout.write(`${verb} ${count} iptables rule(s) of run ${runId}\n`);
  }
  if (!root && !flags.json) process.stdout.write('not root: network namespaces and iptables rules of netns runs were not looked for\n');
  return EXIT.ok;
}
