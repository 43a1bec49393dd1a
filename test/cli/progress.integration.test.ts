import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { progressObserver, progressStyle } from '../../src/cli/progress.ts';
import { fixtureRun } from '../report/fixture.ts';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';
import { okHandler, startServer, type TestServer } from '../helpers/servers.ts';

function collect(): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('progress styles', () => {
  it('defaults to a bar on a terminal and plain lines elsewhere; --quiet and --progress override', () => {
    expect(progressStyle({ quiet: false }, { isTTY: true } as NodeJS.WriteStream)).toBe('bar');
    expect(progressStyle({ quiet: false }, { isTTY: false } as NodeJS.WriteStream)).toBe('plain');
    expect(progressStyle({ quiet: false, progress: 'none' }, { isTTY: true } as NodeJS.WriteStream)).toBe('none');
    expect(progressStyle({ quiet: false, progress: 'plain' }, { isTTY: true } as NodeJS.WriteStream)).toBe('plain');
    expect(progressStyle({ quiet: true, progress: 'bar' }, { isTTY: true } as NodeJS.WriteStream)).toBe('none');
  });

  it('plain writes one line per phase with its p50, and why a phase failed', () => {
    const { stream, text } = collect();
    const observer = progressObserver('plain', stream);
    const record = fixtureRun.phases[2]!;
    observer.runStarted?.('20260101-000000-ab12', '/tmp/out/20260101-000000-ab12', 6);
    observer.phaseStarted?.({ mode: 'sidecar', rate: 1000, repetition: 1 }, 2, 6);
    observer.progress?.({ stage: 'measure', elapsedMs: 1000, totalMs: 10_000, completed: 10, errors: 0 });
    observer.phaseFinished?.({ mode: 'sidecar', rate: 1000, repetition: 1 }, 2, 6, record);
    observer.phaseStarted?.({ mode: 'node-proxy', rate: 1000, repetition: 1 }, 3, 6);
    observer.phaseFailed?.({ mode: 'node-proxy', rate: 1000, repetition: 1 }, 'proxy exited');
    observer.stop();
    expect(text().split('\n')).toEqual([
      'meshtax run 20260101-000000-ab12: 6 phases, results in /tmp/out/20260101-000000-ab12',
      `[3/6] sidecar @ 1000 rps rep 1: p50 ${record.latencyUs.p50} µs, p99 ${(record.latencyUs.p99! / 1000).toFixed(2)} ms, 1000 rps, 2 failed, done`,
      '[4/6] node-proxy @ 1000 rps rep 1: failed: proxy exited',
      '',
    ]);
  });

  it('plain writes a line before and after modes come up and before and after clean-up, which take minutes on a cluster', () => {
    const { stream, text } = collect();
    const observer = progressObserver('plain', stream);
    observer.activating?.({ down: [], up: ['baseline', 'istio-sidecar'] });
    observer.activated?.(['baseline', 'istio-sidecar']);
    observer.activating?.({ down: ['baseline', 'istio-sidecar'], up: ['istio-ambient'] });
    observer.activated?.(['istio-ambient']);
    observer.cleaningUp?.();
    observer.cleanedUp?.();
    observer.cleanedUp?.('clean-up failed: namespace meshtax-x-baseline stuck Terminating');
    expect(text().split('\n')).toEqual([
      'bringing up baseline, istio-sidecar',
      'up: baseline, istio-sidecar',
      'taking down baseline, istio-sidecar; bringing up istio-ambient',
      'up: istio-ambient',
      'cleaning up',
      'cleaned up',
      'clean-up failed: namespace meshtax-x-baseline stuck Terminating',
      '',
    ]);
  });

  it('none writes nothing', () => {
    const { stream, text } = collect();
    const observer = progressObserver('none', stream);
    observer.runStarted?.('x', 'y', 1);
    observer.phaseFinished?.({ mode: 'baseline', rate: 1000, repetition: 1 }, 0, 1, fixtureRun.phases[0]);
    expect(text()).toBe('');
  });
});

describe('progress of the CLI when stderr is not a terminal', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('run prints one plain line per phase on stderr, and nothing with --quiet', async () => {
    const args = ['run', '--set', 'modes=[baseline]', '--set', 'load.duration=1s', '--set', 'load.warmup=0s', '--set', 'load.rates=[200]', '--set', 'load.repetitions=1', ...ANY_MACHINE];
    const out = tempDir();
    const result = await runCli([...args, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const { runDir, run } = readRun(out);
    expect(result.stderr).toMatch(
      new RegExp(
        `^meshtax run ${run.runId}: 1 phase, results in ${runDir}\\nbringing up baseline\\nup: baseline\\n` +
          `\\[1/1\\] baseline @ 200 rps rep 1: p50 \\d[^,]* [µm]s, p99 [^,]+, \\d+ rps, done\\ncleaning up\\ncleaned up\\n$`,
      ),
    );
    // The summary stays on stdout.
    expect(result.stdout).toMatch(/latency is measured from the intended send time/);

    const quietOut = tempDir();
    const quiet = await runCli([...args, '--out', quietOut, '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    const quietRun = readRun(quietOut);
    expect(quiet.stdout).toBe(`meshtax run ${quietRun.run.runId}: completed\nresults: ${quietRun.runDir}/run.json\n`);
  });

  it('load prints its own block: settings, latency, service time, slip and errors, without mode or rep columns', async () => {
    server = await startServer(okHandler);
    const result = await runCli(['load', server.url, '--rate', '200', '--duration', '1s', '--warmup', '0s', '--connections', '2']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`target        ${server.url}`);
    expect(lines[1]).toMatch(/^rate {10}200 rps requested \(uniform\), \d+ rps achieved$/);
    expect(lines[2]).toBe('connections   2 (1 worker thread)');
    expect(lines[3]).toBe('duration      1 s measured after 0 s of warm-up; timeout 10 s');
    expect(lines[4]).toMatch(/^latency {7}p50 \d\S* [µm]s {2}p90 .* {2}p99\.9 — {2}max .*\(from the intended send time\)$/);
    expect(lines[5]).toMatch(/^service time {2}p50 \d\S* [µm]s .*\(from the write to the connection\)$/);
    expect(lines[6]).toMatch(/^slip {10}p50 .* max .*cores\)$/);
    expect(lines[7]).toMatch(/^requests {6}\d+ ok, 0 failed$/);
    // The summary block (before any warning, which may name a phase of a busy machine) has no mode or rep column.
    expect(result.stdout.split(/^warning/m)[0]).not.toMatch(/\bmode\b|\brep\b/);
    // 200 samples: too few for p99 and p99.9, and the hint names load's own flags, not a scenario's.
    expect(result.stdout).toMatch(/^warning: \d+ samples: p99\.9 needs/m);
    expect(result.stdout).toContain('hint: lengthen --duration, raise --rate\n');
    expect(result.stdout).not.toMatch(/load\.(duration|connections|workers)|repetitions/);
    // One measurement of one target: named by the target, without run's [1/1] and rep 1.
    expect(result.stderr).toMatch(new RegExp(`^${server.url.replace(/[.]/g, '\\.')} @ 200 rps: p50 \\d\\S* [µm]s, .*done\\n$`));
  });

  it('load against a target that goes away: its own words, not run\'s, for the invalid phase, its cause and its progress line', async () => {
    // The server stops listening and drops its connections after 40 requests: every reconnect is refused.
    let closing: Promise<void> | undefined;
    const dying = await startServer((request, response, count) => {
      okHandler(request, response, count);
      if (count === 40) closing = dying.close();
    });
    const result = await runCli(['load', dying.url, '--rate', '200', '--duration', '1s', '--warmup', '0s', '--connections', '2', '--timeout', '300ms']);
    await closing;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^invalid measurement: /m);
    expect(result.stdout).not.toMatch(/external|\brep\b|\[1\/1\]/);
    // The refusals explain a shortfall of rate; the queue behind them is not a cause, and more connections no cure.
    expect(result.stdout).not.toContain('waited for a free connection');
    expect(result.stdout).not.toMatch(/raise --connections/);
    const behind = /^warning: achieved .*$/m.exec(result.stdout)?.[0];
    if (behind !== undefined) expect(behind).toMatch(/requests met a refused or reset connection/);
    const [progress] = result.stderr.split('\n');
    expect(progress).toMatch(new RegExp(`^${dying.url.replace(/[.]/g, '\\.')} @ 200 rps: p50 .*, \\d+ failed, done$`));
  });

  it('load in the closed loop says so instead of a requested rate', async () => {
    server = await startServer(okHandler);
    const result = await runCli(['load', server.url, '--closed-loop', '--duration', '500ms', '--warmup', '0s', '--connections', '1', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    // What rate was sustained is timing's to decide (one side-by-side CI run sent none in 500 ms, and printed 0.0).
    expect(result.stdout).toMatch(/^rate {10}closed loop \(each connection sends when its previous response arrives\): [\d,.]+ rps sustained$/m);
    expect(result.stdout).toMatch(/\(from the send\)/);
    expect(result.stdout).not.toMatch(/intended send time|^warning/m);
  });
});
