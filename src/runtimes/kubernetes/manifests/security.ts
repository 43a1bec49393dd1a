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
