import type { KubernetesSettings } from '../../../scenario/kubernetes-schema.ts';
import type { CodeBundle } from '../code-bundle.ts';
import type { KubernetesMode } from '../modes.ts';

/** Everything a mode's manifests depend on. */
export interface RenderContext {
  runId: string;
  mode: KubernetesMode;
  settings: KubernetesSettings;
  payloadBytes: number;
  responseDelayMs: number;
  /** What the generator speaks to the echo server (load.protocol); absent: HTTP/1.1. */
  protocol?: 'http1' | 'http2' | 'grpc';
  code: CodeBundle;
  /** Nodes chosen for the server and the client (placement.ts); absent when rendering without a cluster. */
  serverNode?: string;
  clientNode?: string;
  /** Echo server replicas at creation: 0 for a mode whose group is not deployed yet (kubernetes.modesAtOnce). Default 1. */
  replicas?: number;
}
