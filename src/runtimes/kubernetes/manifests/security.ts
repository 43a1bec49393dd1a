import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/**
 * Security settings that meet the `restricted` Pod Security Standard: non-root (the stock node image's `node`
 * user, uid 1000), no privilege escalation, every capability dropped, the runtime's default seccomp profile and a
 * read-only root filesystem. Mesh init containers (istio-init, linkerd-init) need more unless the mesh's CNI is used;
 * that is the mesh's choice, not meshtax's.
 */
export const NODE_UID = 1000;

export function podSecurity(): V1PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: NODE_UID, runAsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' } };
}

export function containerSecurity(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export type PodSecurityLevel = 'restricted' | 'baseline';

/**
 * The pod security of the team's own image (workload.image). Under `restricted` it must run as non-root with every
 * capability dropped and no privilege escalation, with the runtime's default seccomp profile; its user is the
 * image's own (or `runAsUser`), never meshtax's uid 1000, and its root filesystem stays writable, as the image
 * expects. Under `baseline` (a scenario's explicit choice, for an image that needs root) nothing is imposed: the
 * baseline standard forbids only what a pod would have to ask for (privileged, host namespaces, added capabilities).
 */
export function workloadPodSecurity(level: PodSecurityLevel, runAsUser: number | undefined): V1PodSecurityContext {
  if (level === 'baseline') return {};
  return { runAsNonRoot: true, ...(runAsUser === undefined ? {} : { runAsUser }), seccompProfile: { type: 'RuntimeDefault' } };
}

export function workloadContainerSecurity(level: PodSecurityLevel): V1SecurityContext | undefined {
  if (level === 'baseline') return undefined;
  return { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
}
