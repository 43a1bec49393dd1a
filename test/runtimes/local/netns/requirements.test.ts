import { describe, expect, it } from 'vitest';
import { netnsProblems, type HostProbe } from '../../../../src/runtimes/local/netns/requirements.ts';
import { runtimeFor } from '../../../../src/runtimes/registry.ts';
import { ScenarioError } from '../../../../src/scenario/errors.ts';
import { loadScenarioText } from '../../../../src/scenario/load.ts';

// These run anywhere: the host is a probe. Line 5 of the file is `  isolation: netns`.
const TEXT = [
  'apiVersion: meshtax.dev/v1alpha1',
  'kind: Scenario',
  'metadata: { name: netns }',
  'local:',
  '  isolation: netns',
  'modes: [baseline, sidecar]',
  '',
].join('\n');

function probe(overrides: Partial<HostProbe> = {}): HostProbe {
  return {
    platform: 'linux',
    isRoot: () => true,
    hasNetworkCapabilities: () => true,
    runs: () => true,
    ...overrides,
  };
}

function rejection(text: string, host: HostProbe, sets: string[] = []): ScenarioError {
  try {
    runtimeFor(loadScenarioText(text, 'netns.yaml', sets), host);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('local.isolation: netns is checked against the host before anything starts', () => {
  it('without root: a problem at the local.isolation line, exit code 2, with a hint', () => {
    const error = rejection(TEXT, probe({ isRoot: () => false }));
    expect(error.exitCode).toBe(2);
    expect(error.problems).toEqual([
      {
        source: 'netns.yaml',
        line: 5,
        col: 14,
        message: 'local.isolation: netns needs root: it creates network namespaces, veth pairs and iptables rules',
        hint: 'run as root (sudo) or use local.isolation: loopback, which works everywhere',
      },
    ]);
    expect(error.message).toBe(
      'netns.yaml:5:14: local.isolation: netns needs root: it creates network namespaces, veth pairs and iptables rules\n' +
        '  hint: run as root (sudo) or use local.isolation: loopback, which works everywhere',
    );
  });

  it('points at the --set that asked for netns', () => {
    const plain = TEXT.replace('local:\n  isolation: netns\n', '');
    const error = rejection(plain, probe({ isRoot: () => false }), ['local.isolation=netns']);
    expect(error.problems[0]!.source).toBe('--set local.isolation=netns');
  });

  it('not on Linux', () => {
    const [problem] = rejection(TEXT, probe({ platform: 'darwin' })).problems;
    expect(problem).toMatchObject({ line: 5, message: expect.stringContaining('this is darwin'), hint: 'use local.isolation: loopback' });
  });

  it('root without CAP_NET_ADMIN/CAP_SYS_ADMIN (a container)', () => {
    const [problem] = rejection(TEXT, probe({ hasNetworkCapabilities: () => false })).problems;
    expect(problem!.message).toMatch(/CAP_NET_ADMIN and CAP_SYS_ADMIN/);
  });

  it('without iproute2 or iptables, found by running them', () => {
    const asked: string[] = [];
    const host = probe({
      runs: (command) => {
        asked.push(command);
        return command === 'ip';
      },
    });
    const [problem] = rejection(TEXT, host).problems;
    expect(asked).toEqual(['ip', 'iptables', 'iptables-save']);
    expect(problem).toMatchObject({
      line: 5,
      message: 'local.isolation: netns needs iptables, iptables-save, not found on the PATH',
      hint: 'install iptables (apt-get install iptables) or use local.isolation: loopback, which works everywhere',
    });
  });

  it('a bind address other than 127.0.0.1, where REDIRECT delivers', () => {
    const text = TEXT.replace('  isolation: netns\n', '  isolation: netns\n  bindAddress: 127.0.0.2\n');
    const [problem] = rejection(text, probe()).problems;
    expect(problem).toMatchObject({ line: 6, message: expect.stringContaining('got 127.0.0.2') });
  });

  it('nothing to say when the host has it all, or for loopback isolation', () => {
    const loaded = loadScenarioText(TEXT, 'netns.yaml');
    expect(netnsProblems(loaded, probe())).toEqual([]);
    expect(runtimeFor(loaded, probe()).name).toBe('local');
    const loopback = loadScenarioText(TEXT.replace('isolation: netns', 'isolation: loopback'), 'netns.yaml');
    expect(netnsProblems(loopback, probe({ isRoot: () => false, platform: 'win32' }))).toEqual([]);
  });
});
