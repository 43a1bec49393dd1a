import type { KubernetesSettings } from '../../../scenario/kubernetes-schema.ts';
import type { Scenario } from '../../../scenario/schema.ts';
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
  /** What the generator speaks to the echo server (load.protocol); absent: HTTP/1.1. */
  protocol?: 'http1' | 'http2' | 'grpc';
  code: CodeBundle;
  /** Nodes chosen for the server and the client (placement.ts); absent when rendering without a cluster. */
  serverNode?: string;
  clientNode?: string;
  /** Echo server replicas at creation: 0 for a mode whose group is not deployed yet (kubernetes.modesAtOnce). Default 1. */
  replicas?: number;
}

/** A mode's render context from the scenario: its workload, settings and code, on the nodes given (if any). */
export function modeContext(
  scenario: Scenario,
  runId: string,
  mode: KubernetesMode,
  code: CodeBundle,
  nodes: { serverNode?: string | undefined; clientNode?: string | undefined },
): RenderContext {
  return {
    runId,
    mode,
    settings: scenario.kubernetes,
    workload: scenario.workload,
    protocol: scenario.load.protocol,
    code,
    ...(nodes.serverNode ? { serverNode: nodes.serverNode } : {}),
    ...(nodes.clientNode ? { clientNode: nodes.clientNode } : {}),
  };
}
