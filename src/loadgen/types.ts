import type { LatencySummary } from '../core/histogram.ts';
import type { EndpointSpec, Protocol } from './endpoints.ts';
import type { MachineState } from './machine.ts';
import type { Warning } from '../core/warning.ts';
import type { PhaseSeconds, SecondsReport } from './seconds.ts';

/** What one load phase should do. Times in milliseconds, rates in requests per second. */
export interface PhaseSpec {
  url: string;
  loop: 'open' | 'closed';
  arrival: 'uniform' | 'poisson';
  /** Requested rate for the open loop; null for the closed loop (as fast as the connections allow). */
  rate: number | null;
  connections: number;
  workers: number;
  durationMs: number;
  warmupMs: number;
  timeoutMs: number;
  seed: number;
  /** HTTP/1.1 (default), HTTP/2 (h2c for http://, TLS with ALPN h2 for https://) or gRPC unary calls over HTTP/2. */
  protocol?: Protocol;
  /** HTTP/2 and gRPC: concurrent streams per connection (default 1); requests in flight at most connections × streams. */
  streams?: number;
  /** The request mix; absent: one GET of the URL's path. With it, results carry a histogram per endpoint. */
  requests?: EndpointSpec[];
  /** Whose names the warnings' hints use for the settings: a scenario's (load.connections), or `meshtax load`'s flags (--connections). Default: scenario. */
  settingNames?: 'scenario' | 'flags';
  /** Open loop: also record outcomes and latency by second of the measured window (PhaseMeasurement.seconds). */
  perSecond?: boolean;
}

/** Outcome counts of the requests whose intended send time fell in the measured window. */
export interface Counts {
  /** Responses with an expected status (by default 2xx; gRPC: grpc-status 0). */
  ok: number;
  /** Complete responses with any other status: they count as failed. */
  non2xx: number;
  /** Connection errors: refused, reset, closed before a complete response, malformed response. */
  errors: number;
  /** Requests without a response within the timeout (counted from the intended send time). */
  timeouts: number;
}

/** What one worker thread measured; histograms travel compressed so they merge exactly in the parent. */
/** Connection errors by kind (see FailureKind in connection.ts); absent kinds did not happen. */
export type ErrorKinds = Partial<Record<'refused' | 'reset' | 'closed' | 'malformed' | 'other', number>>;

export interface WorkerReport {
  counts: Counts;
  errorKinds: ErrorKinds;
  /** Requests written to a connection during the measured window. */
  sent: number;
  /** Requests that found every connection busy and waited in the generator. */
  queued: number;
  bytesReceived: number;
  /** Values clamped to the histogram's 60 s ceiling. */
  saturated: number;
  latency: string;
  serviceTime: string;
  /** Generator lateness: time from intended send to the moment the scheduler handled the request. */
  slip: string;
  /** Per endpoint of spec.requests, in its order; absent without spec.requests. */
  endpoints?: EndpointReport[];
  /** Whether this worker's I/O thread ran under the real-time policy (priority.ts). */
  realtime?: boolean;
  /** By second of the window, with PhaseSpec.perSecond. */
  seconds?: SecondsReport;
}

/** One endpoint's share of a worker's report. */
export interface EndpointReport {
  counts: Counts;
  latency: string;
  serviceTime: string;
}

/** One endpoint of a phase's request mix: its outcomes and histograms (they pool exactly into the phase's). */
export interface EndpointMeasurement {
  name: string;
  method: string;
  path: string;
  counts: Counts;
  latencyUs: LatencySummary;
  serviceTimeUs: LatencySummary;
  histogram: string;
  serviceTimeHistogram: string;
}

/** The generator's own health during a phase. */
export interface GeneratorStats {
  /** CPU used by the generator process during the measured window, in cores (1.0 = one core busy). */
  cpuCores: number;
  /** How late the scheduler handled requests relative to their intended time, in microseconds. */
  slipUs: { p50: number; p99: number; max: number };
  queued: number;
  workers: number;
  /** Open loop: whether every I/O thread got the real-time policy SCHED_FIFO (root or CAP_SYS_NICE); absent for the closed loop. */
  realtime?: boolean;
}

/** One measured phase as the engine reports it (run.json adds mode and repetition). */
export interface PhaseMeasurement {
  loop: 'open' | 'closed';
  rate: number | null;
  connections: number;
  startedAt: string;
  /** Length of the measured window in seconds (warmup excluded). */
  durationS: number;
  achievedRps: number;
  counts: Counts;
  bytesReceived: number;
  /** Latency from the intended send time (correct under coordinated omission), microseconds. */
  latencyUs: LatencySummary;
  /** Service time from the actual send, microseconds. */
  serviceTimeUs: LatencySummary;
  /** Latency HdrHistogram, compressed base64 (values in microseconds). */
  histogram: string;
  /** Service-time HdrHistogram, compressed base64 (values in microseconds). */
  serviceTimeHistogram: string;
  generator: GeneratorStats;
  /** Protocol spoken; absent means HTTP/1.1. */
  protocol?: Protocol;
  /** Per endpoint of the request mix (load.requests); absent when the phase had none. */
  endpoints?: EndpointMeasurement[];
  /** The generator's machine during the measured window. */
  machine: MachineState;
  warnings: Warning[];
  /** Outcomes and latency by second of the measured window, with PhaseSpec.perSecond. */
  seconds?: PhaseSeconds;
}


/** Events a running phase emits; progress display subscribes, the engine never draws. */
export interface ProgressEvent {
  stage: 'warmup' | 'measure' | 'drain';
  elapsedMs: number;
  totalMs: number;
  completed: number;
  errors: number;
}

/** Messages between the phase runner and its worker threads. */
export type ToWorker = { type: 'start'; t0Us: number } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; completed: number; errors: number }
  | { type: 'report'; report: WorkerReport }
  | { type: 'failed'; message: string };

export interface WorkerInput {
  spec: PhaseSpec;
  index: number;
}
