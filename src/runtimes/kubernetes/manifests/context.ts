import type { KubernetesSettings } from '../../../scenario/kubernetes-schema.ts';
import type { Workload } from '../../../scenario/workload-schema.ts';
import type { CodeBundle } from '../code-bundle.ts';
import type { KubernetesMode } from '../modes.ts';

/** Everything a mode's manifests depend on. */
export interface RenderContext {
  runId: string;
  mode: KubernetesMode;
  settings: KubernetesSettings;
  /** The scenario's workload section: the echo server's model, or the team's own image that takes its place. */
  workload: Workload;
  code: CodeBundle;
  /** Nodes chosen for the server and the client (placement.ts); absent when rendering without a cluster. */
  serverNode?: string;
  clientNode?: string;
  /** Echo server replicas at creation: 0 for a mode whose group is not deployed yet (kubernetes.modesAtOnce). Default 1. */
  replicas?: number;
}
