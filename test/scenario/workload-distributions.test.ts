import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

const workload = (...lines: string[]) => loadScenarioText(yaml(...HEAD, 'workload:', ...lines), 'test.yaml').scenario.workload;

describe('echo server distributions', () => {
  it('keep a plain size or duration a plain number, as before distributions existed', () => {
    expect(workload('  payloadBytes: 4KiB', '  responseDelay: 250us')).toEqual({ payloadBytes: 4096, responseDelay: 0.25 });
  });

  it('parse fixed, uniform and log-normal in the field\'s unit, with CPU cost, error rate and seed', () => {
    expect(
      workload(
        '  payloadBytes: {distribution: lognormal, median: 1KiB, p99: 64KiB}',
        '  responseDelay: {distribution: uniform, min: 1ms, max: 9ms}',
        '  cpuPerRequest: {distribution: fixed, value: 200us}',
        '  errorRate: 0.02',
        '  seed: 7',
      ),
    ).toEqual({
      payloadBytes: { distribution: 'lognormal', median: 1024, p99: 65536 },
      responseDelay: { distribution: 'uniform', min: 1, max: 9 },
      cpuPerRequest: { distribution: 'fixed', value: 0.2 },
      errorRate: 0.02,
      seed: 7,
    });
  });

  it('are accepted with every protocol: the HTTP/2 and gRPC echo draws from the same model', () => {
    for (const protocol of ['http2', 'grpc']) {
      const text = yaml(...HEAD, 'workload:', '  payloadBytes: {distribution: lognormal, median: 1KiB, p99: 64KiB}', '  cpuPerRequest: 100us', '  errorRate: 0.01', 'load:', `  protocol: ${protocol}`);
      expect(loadScenarioText(text, 'test.yaml').scenario.workload).toMatchObject({ cpuPerRequest: 0.1, errorRate: 0.01 });
    }
  });

  it('report a bad value inside a distribution at its own line, with the field\'s own message', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes:', '    distribution: uniform', '    min: 1KiB', '    max: 1GiB'))).toEqual([
      { source: 'test.yaml', line: 9, col: 10, message: 'workload.payloadBytes.max: must be at most 64 MiB (67108864 bytes); got 1 GiB' },
    ]);
  });

  it('refuse min above max, and a log-normal whose p99 is not above its median, with a hint', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  responseDelay: {distribution: uniform, min: 9ms, max: 1ms}'))).toEqual([
      { source: 'test.yaml', line: 6, col: 57, message: 'workload.responseDelay.max: min must not be greater than max', hint: 'swap min and max' },
    ]);
    expect(problemsOf(yaml(...HEAD, 'workload:', '  cpuPerRequest:', '    distribution: lognormal', '    median: 2ms', '    p99: 1ms'))).toEqual([
      {
        source: 'test.yaml',
        line: 9,
        col: 10,
        message: 'workload.cpuPerRequest.p99: p99 must be greater than the median',
        hint: 'write it as {distribution: lognormal, median: 200us, p99: …} with p99 above the median',
      },
    ]);
  });

  it('name the distributions there are, and the keys a distribution takes', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: {distribution: normal, median: 1KiB}'))).toEqual([
      { source: 'test.yaml', line: 6, col: 32, message: 'workload.payloadBytes.distribution: must be one of: fixed, uniform, lognormal; got \'normal\'' },
    ]);
    const [unknown] = problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: {distribution: uniform, min: 1, max: 2, mean: 1}'));
    expect(unknown).toMatchObject({ line: 6, message: "unknown key 'mean' in workload.payloadBytes" });
  });

  it('refuse a value that is neither a size nor a distribution, and an error rate outside 0 to 1', () => {
    expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: true', '  errorRate: 1.5'))).toEqual([
      { source: 'test.yaml', line: 6, col: 17, message: 'workload.payloadBytes: expected a size such as 1KiB, or a distribution such as {distribution: uniform, min: …, max: …}; got true' },
      { source: 'test.yaml', line: 7, col: 14, message: 'workload.errorRate: must be a fraction from 0 to 1 (0.01 = 1%); got 1.5' },
    ]);
  });
});
