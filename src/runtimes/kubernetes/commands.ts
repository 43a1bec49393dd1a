import { UsageError } from '../../core/errors.ts';
import { EXIT, type ExitCode } from '../../core/exit-codes.ts';
import type { CleanupRequest, RuntimeCommands } from '../types.ts';
import { cleanupRuns, CleanupError } from './cleanup.ts';
import { connect } from './client/connect.ts';
import { kubernetesChecks } from './doctor.ts';
import { renderText } from './render-text.ts';

/** `meshtax cleanup` in a cluster: deletes what runs left (after --keep or a killed meshtax), found by label. */
async function cleanupCluster(request: CleanupRequest): Promise<ExitCode> {
  if (request.force || request.dryRun) {
    throw new UsageError(`${request.force ? '--force' : '--dry-run'} is for --runtime local; Kubernetes namespaces are found by label`);
  }
  const cluster = connect(request.context);
  try {
    const result = await cleanupRuns(cluster, { ...(request.runId !== undefined ? { runId: request.runId } : {}), timeoutMs: request.timeoutMs });
    const restored = result.restored ?? [];
    if (request.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.deleted.length === 0 && restored.length === 0) process.stdout.write(`nothing to clean up in context ${cluster.context}${request.runId ? ` for run ${request.runId}` : ''}\n`);
    else {
      for (const { namespace, name, replicas, runId } of restored) process.stdout.write(`restored Deployment ${namespace}/${name} to ${replicas} replicas (left at 0 by run ${runId})\n`);
      for (const { namespace, runId } of result.deleted) process.stdout.write(`deleted namespace ${namespace} (run ${runId})\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CleanupError) {
      process.stderr.write(`meshtax: clean-up incomplete: ${error.message}\n`);
      return EXIT.runFailed;
    }
    throw error;
  }
}

/** The Kubernetes runtime's doctor, cleanup and render. */
export const kubernetesCommands: RuntimeCommands = {
  doctor: ({ scenario, context }) => kubernetesChecks(connect(context ?? scenario?.kubernetes.context), scenario),
  cleanup: cleanupCluster,
  render: renderText,
  startup: async (scenario, runId, options) => (await import('./startup.ts')).kubernetesStartup(scenario, runId, options),
};
