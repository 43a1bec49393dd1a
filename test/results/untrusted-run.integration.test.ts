import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/results/schema.ts';
import { startCli, tempDir, type CliResult } from '../helpers/cli.ts';
import { fixtureRun } from '../report/fixture.ts';

/** The CLI, killed if it has not finished after `limitMs`: a hang must fail the test, not stall the suite. */
async function boundedCli(args: readonly string[], limitMs = 15_000): Promise<CliResult> {
  const { child, done } = startCli(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value | 0);
  return buffer;
}

function int64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(value));
  return buffer;
}

/** Zig-zag LEB128, as HdrHistogram's V2 encoding writes counts (negative: a run of empty buckets). */
function zigZag(value: number): Buffer {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  do {
    const low = raw % 128;
    raw = Math.floor(raw / 128);
    bytes.push(raw > 0 ? low | 0x80 : low);
  } while (raw > 0);
  return Buffer.from(bytes);
}

/** A compressed V2 HdrHistogram with meshtax's settings (1..60 000 000, 3 digits) and the given counts payload. */
function craftedHistogram(counts: Buffer, settings = { lowest: 1, highest: 60_000_000, digits: 3 }): string {
  const plain = Buffer.concat([
    int32(0x1c849303 | 0x10),
    int32(counts.length),
    int32(0),
    int32(settings.digits),
    int64(settings.lowest),
    int64(settings.highest),
    int64(1),
    counts,
  ]);
  const compressed = deflateSync(plain);
  return Buffer.concat([int32(0x1c849304 | 0x10), int32(compressed.length), compressed]).toString('base64');
}

function runFileWith(histogram: string, field: 'histogram' | 'serviceTimeHistogram' = 'histogram'): string {
  const dir = tempDir();
  const run = structuredClone(fixtureRun) as RunDocument;
  run.phases[1]![field] = histogram;
  const file = path.join(dir, 'run.json');
  writeFileSync(file, JSON.stringify(run));
  return file;
}

async function expectRejected(file: string, pattern: RegExp): Promise<void> {
  const result = await boundedCli(['report', file, '--format', 'csv']);
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toContain('phase 2 (baseline @ 1000 rps rep 2)');
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('run.json is untrusted input', () => {
  it('rejects a histogram whose zero run skips 2^31 buckets, at once, instead of spinning', async () => {
    const skip = craftedHistogram(Buffer.concat([zigZag(-(2 ** 31)), zigZag(1)]));
    await expectRejected(runFileWith(skip), /latency histogram: a run of 2147483648 empty buckets goes past/);
  });

  it('rejects a count beyond the last bucket, garbage base64, a foreign encoding and a bad zlib stream', async () => {
    await expectRejected(runFileWith(craftedHistogram(Buffer.concat([zigZag(-17_408), zigZag(5)]))), /a count in bucket 17408, beyond the histogram.s 17408/);
    await expectRejected(runFileWith('!!not base64!!'), /latency histogram: not base64/);
    await expectRejected(runFileWith(Buffer.from('just some bytes here').toString('base64')), /unsupported encoding/);
    const badZlib = Buffer.concat([int32(0x1c849304 | 0x10), int32(12), Buffer.from('not a zlib!!')]).toString('base64');
    await expectRejected(runFileWith(badZlib, 'serviceTimeHistogram'), /service-time histogram: bad zlib stream/);
    await expectRejected(runFileWith(craftedHistogram(zigZag(1), { lowest: 1, highest: 2 ** 40, digits: 5 })), /not meshtax's/);
  });

  it('rejects a histogram holding more samples than the phase has requests', async () => {
    await expectRejected(runFileWith(craftedHistogram(Buffer.concat([zigZag(-100), zigZag(1_000_000)]))), /holds 1000000 samples but the phase counts 10000 requests/);
  });

  it('does not hang on a FIFO named run.json, in report and in history', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'a'));
    const fifo = path.join(dir, 'a', 'run.json');
    execFileSync('mkfifo', [fifo]);
    const report = await boundedCli(['report', fifo]);
    expect(report.code, report.stderr).toBe(2);
    expect(report.stderr).toBe(`meshtax: ${fifo} is not a regular file; give a run.json written by meshtax run\n`);
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b', 'run.json'), JSON.stringify(fixtureRun));
    const history = await boundedCli(['history', dir]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('meshtax history: 1 run(s)');
    expect(history.stdout).toContain(`skipped ${fifo}: not a regular file`);
  });

  it('history skips a run whose histograms are crafted, naming why', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'bad'));
    mkdirSync(path.join(dir, 'good'));
    const skip = craftedHistogram(Buffer.concat([zigZag(-(2 ** 31)), zigZag(1)]));
    const bad = structuredClone(fixtureRun) as RunDocument;
    bad.phases[0]!.histogram = skip;
    writeFileSync(path.join(dir, 'bad', 'run.json'), JSON.stringify(bad));
    writeFileSync(path.join(dir, 'good', 'run.json'), JSON.stringify(fixtureRun));
    const history = await boundedCli(['history', dir]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('meshtax history: 1 run(s)');
    expect(history.stdout).toMatch(/skipped .*bad\/run.json: .*phase 1 .*a run of 2147483648 empty buckets/);
  });
});
