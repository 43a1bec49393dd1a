import { phaseValidity } from '../analysis/validity.ts';
import { LoadError, PhaseInterrupted, PhaseRunner } from '../loadgen/phase.ts';
import { parseTarget, TargetError } from '../loadgen/target.ts';
import type { PhaseSpec } from '../loadgen/types.ts';
import { machineWarnings } from '../analysis/machine-warnings.ts';
import { phaseRecord } from '../pipeline/phase-record.ts';
import { loadInvalidLines, loadSummary } from '../report/load-summary.ts';
import { warningLines } from '../report/terminal.ts';
import { formatRate } from '../core/format.ts';
import { RequestMixError, requestMix, type RequestMix } from '../scenario/request-mix.ts';
import { durationFlag } from './duration-flag.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';
import { cleanupScope, interrupted } from './interrupt.ts';
import { progressObserver, progressStyle, type ProgressFlags } from './progress.ts';

export interface LoadFlags extends ProgressFlags {
  rate?: string;
  duration: string;
  warmup: string;
  connections: string;
  workers: string;
  arrival: string;
  timeout: string;
  closedLoop: boolean;
  protocol: 'http1' | 'http2' | 'grpc';
  streams: string;
  grpcMethod: string;
  proto?: string;
  grpcMessage: string;
  json: boolean;
}

/** `meshtax load`: one ad-hoc phase against any HTTP URL, on the same engine as `run`. */
export async function loadCommand(url: string, flags: LoadFlags): Promise<ExitCode> {
  const spec = loadSpec(url, flags);
  const endScope = cleanupScope();
  // One measurement of one target: no [1/1], no mode, no repetition.
  const progress = progressObserver(progressStyle(flags), process.stderr, () => `${url} @ ${spec.rate === null ? 'closed loop' : `${formatRate(spec.rate)} rps`}`);
  const runner = new PhaseRunner();
  runner.on('progress', (event) => progress.progress?.(event));
  progress.phaseStarted?.({ mode: url, rate: spec.rate, repetition: 1 }, 0, 1);
  try {
    const record = phaseRecord('external', 1, await runner.run(spec, interrupted));
    progress.phaseFinished?.({ mode: url, rate: spec.rate, repetition: 1 }, 0, 1, record);
    progress.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    else process.stdout.write(`${[loadSummary(spec, record), ...loadInvalidLines(record), ...(flags.quiet ? [] : warningLines([], [...machineWarnings([record], true), ...record.warnings]))].join('\n')}\n`);
    // Failed requests have no latency: beyond the limit the percentiles describe a failing target, and CI must see it;
    // so must a measurement with no request in it at all.
    const failed = phaseValidity(record).reasons.find((reason) => reason.code === 'failed-requests' || reason.code === 'no-requests');
    if (failed) {
      process.stderr.write(`meshtax: ${failed.message}\n`);
      return EXIT.runFailed;
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof PhaseInterrupted) return EXIT.interrupted;
    if (error instanceof LoadError) {
      process.stderr.write(`meshtax: load failed against ${url}: ${error.message}\n`);
      return EXIT.runFailed;
    }
    throw error;
  } finally {
    progress.stop();
    endScope();
  }
}

export function loadSpec(url: string, flags: LoadFlags): PhaseSpec {
  try {
    parseTarget(url);
  } catch (error) {
    if (error instanceof TargetError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.closedLoop && flags.rate !== undefined) {
    throw new UsageError('--rate and --closed-loop exclude each other: the closed loop sends as fast as the connections allow');
  }
  if (!flags.closedLoop && flags.rate === undefined) {
    throw new UsageError('--rate is required for the open loop (or give --closed-loop for maximum throughput)');
  }
  const rate = flags.closedLoop ? null : number('--rate', flags.rate ?? '', 0.001, 1_000_000, false);
  const connections = number('--connections', flags.connections, 1, 10_000, true);
  const workers = number('--workers', flags.workers, 1, 64, true);
  if (workers > connections) throw new UsageError(`--workers (${workers}) cannot exceed --connections (${connections})`);
  if (flags.arrival !== 'uniform' && flags.arrival !== 'poisson') {
    throw new UsageError(`--arrival must be uniform or poisson, not '${flags.arrival}'`);
  }
  const durationMs = durationFlag('--duration', flags.duration, 100, 24 * 3600_000);
  const protocol = flags.protocol ?? 'http1';
  const streams = number('--streams', flags.streams ?? '1', 1, 1000, true);
  if (protocol === 'http1' && streams !== 1) throw new UsageError('--streams applies to --protocol http2 and grpc; HTTP/1.1 carries one request at a time per connection');
  if (protocol !== 'http1' && flags.closedLoop) throw new UsageError('--closed-loop speaks HTTP/1.1 only; drop it, or use --protocol http1');
  return {
    url,
    loop: flags.closedLoop ? 'closed' : 'open',
    arrival: flags.arrival,
    rate,
    connections,
    workers,
    durationMs,
    warmupMs: durationFlag('--warmup', flags.warmup, 0, 3600_000),
    timeoutMs: durationFlag('--timeout', flags.timeout, 1, 600_000),
    seed: 1,
    settingNames: 'flags',
    ...loadMix(protocol, streams, flags),
  };
}

/** The protocol part of the spec; gRPC: the call named by the flags, encoded once. */
function loadMix(protocol: LoadFlags['protocol'], streams: number, flags: LoadFlags): RequestMix {
  if (protocol !== 'grpc') return { protocol, streams };
  let message: unknown;
  try {
    message = JSON.parse(flags.grpcMessage ?? '{}');
  } catch (error) {
    throw new UsageError(`--grpc-message is not JSON: ${(error as Error).message}`);
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new UsageError('--grpc-message must be a JSON object, such as {"name":"x"}');
  try {
    return requestMix({
      protocol,
      streams,
      requests: undefined,
      grpc: { method: flags.grpcMethod ?? 'meshtax.echo.v1.Echo/Echo', message: message as Record<string, unknown>, metadata: {}, ...(flags.proto ? { proto: flags.proto } : {}) },
    });
  } catch (error) {
    if (error instanceof RequestMixError) throw new UsageError(error.message);
    throw error;
  }
}

function number(flag: string, raw: string, min: number, max: number, integer: boolean): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not '${raw}'`);
  }
  return value;
}
