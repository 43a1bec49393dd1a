import type { V1Pod } from '@kubernetes/client-node';

/** Waiting reasons that will not resolve by themselves. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

/** Why a pod is not ready yet, in one line; `stuck` when waiting longer will not help. */
export function podProblem(pod: V1Pod): { reason: string; stuck: boolean } | undefined {
  const name = pod.metadata?.name ?? '?';
  const status = pod.status;
  const unschedulable = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable) {
    const message = unschedulable.message ?? unschedulable.reason ?? 'unknown';
    // Nothing of the run's will free CPU or memory on a node: waiting for the rollout timeout would not help.
    const short = /Insufficient (cpu|memory)/.test(message);
    return {
      reason: `pod ${name} cannot be scheduled: ${message}${short ? ' (lower kubernetes.resources, or run fewer modes at once)' : ''}`,
      stuck: short,
    };
  }
  const containers = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  for (const container of containers) {
    const waiting = container.state?.waiting;
    if (waiting?.reason && STUCK.has(waiting.reason)) {
      return { reason: `container ${container.name} of pod ${name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`, stuck: true };
    }
    const terminated = container.state?.terminated;
    if (terminated && terminated.exitCode !== 0 && !(status?.initContainerStatuses ?? []).includes(container)) {
      return { reason: `container ${container.name} of pod ${name} exited with code ${terminated.exitCode} (${terminated.reason ?? 'no reason'})`, stuck: true };
    }
  }
  if (status?.phase === 'Failed') return { reason: `pod ${name} failed: ${status.message ?? status.reason ?? 'no reason given'}`, stuck: true };
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    // What each waiting container waits for (ContainerCreating, PodInitializing, …): the kubelet's own words.
    const waiting = containers.filter((c) => c.state?.waiting?.reason).map((c) => `container ${c.name}: ${c.state!.waiting!.reason}${c.state!.waiting!.message ? ` (${c.state!.waiting!.message})` : ''}`);
    const detail = [...(ready?.message ? [ready.message] : []), ...waiting].join('; ');
    return { reason: `pod ${name} is ${status?.phase ?? 'Pending'}${detail ? `: ${detail}` : ''}`, stuck: false };
  }
  return undefined;
}

/** Names of every container of a pod, native sidecars (init containers that always restart) included. */
export function containerNames(pod: V1Pod): string[] {
  return [...(pod.spec?.initContainers ?? []).map((c) => c.name), ...(pod.spec?.containers ?? []).map((c) => c.name)];
}
