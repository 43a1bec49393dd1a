import type { PhaseMeasurement, PhaseSpec, ProgressEvent } from '../../../loadgen/types.ts';

/**
 * What an in-cluster generator pod tells the CLI, through its log (read via the API server, the only route the CLI
 * is guaranteed to have). One JSON object per line after a fixed prefix, so other output (a runtime's warnings)
 * is ignored. The measurement is split into chunks: container runtimes split long log lines.
 */
export const LINE_PREFIX = 'meshtax-generator ';
const CHUNK_CHARS = 8000;

/** The generator's input, passed in the pod's environment. */
export interface GeneratorInput {
  spec: PhaseSpec;
  /**
   * Wall-clock time (ms since the epoch, the clock of the machine running meshtax) all shards start at; 0: start as
   * soon as the target answers.
   */
  startAtMs: number;
  /** How far ahead startAtMs was set when the pods were made, ms: a start further away than that means skewed clocks. */
  startDelayMs?: number;
  /** How long to wait for the target to answer before giving up, ms. */
  targetWaitMs: number;
}
export const INPUT_ENV = 'MESHTAX_GENERATOR_INPUT';

export type GeneratorMessage =
  | { type: 'ready'; atMs: number }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'window'; edge: 'start' | 'end'; atMs: number }
  | { type: 'result-chunk'; index: number; count: number; data: string }
  | { type: 'failed'; message: string };

export function encodeMessage(message: GeneratorMessage): string {
  return `${LINE_PREFIX}${JSON.stringify(message)}\n`;
}

/** The lines that carry a measurement. */
export function encodeResult(measurement: PhaseMeasurement): string[] {
  const json = JSON.stringify(measurement);
  const count = Math.max(1, Math.ceil(json.length / CHUNK_CHARS));
  return Array.from({ length: count }, (_, index) =>
    encodeMessage({ type: 'result-chunk', index, count, data: json.slice(index * CHUNK_CHARS, (index + 1) * CHUNK_CHARS) }),
  );
}

/** A message from one log line, or undefined for lines that are not the generator's. */
export function decodeLine(line: string): GeneratorMessage | undefined {
  const start = line.indexOf(LINE_PREFIX);
  if (start < 0) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(start + LINE_PREFIX.length));
    if (typeof value === 'object' && value !== null && 'type' in value) return value as GeneratorMessage;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Collects result chunks; complete() gives the measurement once every chunk arrived. */
export class ResultAssembler {
  private chunks: string[] = [];
  private count = 0;

  add(message: Extract<GeneratorMessage, { type: 'result-chunk' }>): void {
    if (this.count !== message.count) {
      this.chunks = new Array<string>(message.count);
      this.count = message.count;
    }
    this.chunks[message.index] = message.data;
  }

  complete(): PhaseMeasurement | undefined {
    if (this.count === 0) return undefined;
    for (let i = 0; i < this.count; i++) if (this.chunks[i] === undefined) return undefined;
    return JSON.parse(this.chunks.join('')) as PhaseMeasurement;
  }
}
