import { EXIT } from '../../core/exit-codes.ts';
import type { CleanupRequest, RuntimeCommands } from '../types.ts';
import { localChecks } from './doctor.ts';
import { removeLocalLeftovers } from './netns/leftovers.ts';

/** `meshtax cleanup --runtime local`: what a killed local run left on this host. */
async function cleanupLocal(request: CleanupRequest): Promise<typeof EXIT.ok> {
  // Network namespaces and iptables rules need root; a run without root (isolation loopback) made none.
  const root = process.platform === 'linux' && process.getuid?.() === 0;
  const left = await removeLocalLeftovers(request.runId, { network: root, force: request.force, dryRun: request.dryRun });
  const verb = request.dryRun ? 'would delete' : 'deleted';
  if (request.json) {
    process.stdout.write(`${JSON.stringify({ dryRun: request.dryRun, ...left }, null, 2)}\n`);
  } else {
    for (const { runId, pid } of left.skipped) process.stdout.write(`skipped run ${runId}: still running (pid ${pid}); --force removes it anyway\n`);
    if (left.workDirs.length + left.namespaces.length + left.links.length + left.rules.length === 0) {
      process.stdout.write(`nothing to clean up on this host${request.runId ? ` for run ${request.runId}` : ''}\n`);
    }
    for (const name of left.workDirs) process.stdout.write(`${verb} directory ${name}\n`);
    for (const name of left.namespaces) process.stdout.write(`${verb} network namespace ${name}\n`);
    for (const name of left.links) process.stdout.write(`${verb} interface ${name}\n`);
    for (const { runId, count } of left.rules) process.stdout.write(`${verb} ${count} iptables rule(s) of run ${runId}\n`);
  }
  if (!root && !request.json) process.stdout.write('not root: network namespaces and iptables rules of netns runs were not looked for\n');
  return EXIT.ok;
}

/** The local runtime's doctor and cleanup; it has no manifests to render. */
export const localCommands: RuntimeCommands = {
  doctor: () => localChecks(),
  cleanup: cleanupLocal,
  startup: async (scenario, runId, options) => (await import('./startup.ts')).localStartup(scenario, runId, options),
};
