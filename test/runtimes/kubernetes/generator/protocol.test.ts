import { describe, expect, it } from 'vitest';
import { decodeLine, encodeMessage, encodeResult, ResultAssembler } from '../../../../src/runtimes/kubernetes/generator/protocol.ts';
import type { PhaseMeasurement } from '../../../../src/loadgen/types.ts';

describe('the generator log protocol', () => {
  it('ignores lines that are not the generator\'s and decodes those that are, after a runtime prefix', () => {
    expect(decodeLine('npm warn something')).toBeUndefined();
    expect(decodeLine(`2026-12-01T12:00:00Z stdout F ${encodeMessage({ type: 'ready', atMs: 5 }).trim()}`)).toEqual({ type: 'ready', atMs: 5 });
    expect(decodeLine('meshtax-generator {not json')).toBeUndefined();
  });

  it('splits a large measurement into lines of at most 8000 characters of data and joins them in any order', () => {
    const measurement = { histogram: 'x'.repeat(20_000), warnings: [] } as unknown as PhaseMeasurement;
    const lines = encodeResult(measurement);
    expect(lines).toHaveLength(3);
    const assembler = new ResultAssembler();
    for (const line of [lines[2]!, lines[0]!]) {
      const message = decodeLine(line);
      if (message?.type === 'result-chunk') assembler.add(message);
    }
    expect(assembler.complete()).toBeUndefined();
    const last = decodeLine(lines[1]!);
    if (last?.type === 'result-chunk') assembler.add(last);
    expect(assembler.complete()).toEqual(measurement);
  });
});
