import { readFileSync } from 'node:fs';
import { execaSync } from 'execa';
import type { LoadedScenario } from '../../../scenario/load.ts';
import type { Problem } from '../../../scenario/errors.ts';

/** What `local.isolation: netns` needs from the host, asked through a probe so tests can play any host. */
export interface HostProbe {
  platform: NodeJS.Platform;
  /** Effective uid 0. */
  isRoot(): boolean;
  /** Whether the process may create namespaces (CAP_SYS_ADMIN) and change networking (CAP_NET_ADMIN). */
  hasNetworkCapabilities(): boolean;
  /** Whether `command args…` runs and exits 0. */
  runs(command: string, args: readonly string[]): boolean;
}

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

export const systemProbe: HostProbe = {
  platform: process.platform,
  isRoot: () => process.geteuid?.() === 0,
  hasNetworkCapabilities: () => {
    try {
      const status = readFileSync('/proc/self/status', 'utf8');
      const effective = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/im.exec(status)?.[1] ?? '0'}`);
      return [CAP_NET_ADMIN, CAP_SYS_ADMIN].every((bit) => (effective >> BigInt(bit)) & 1n);
    } catch {
      return false;
    }
  },
  runs: (command, args) => {
    const result = execaSync(command, args, { reject: false, timeout: 5000, stdin: 'ignore' });
    return !result.failed;
  },
};

/** Host programs netns isolation runs, with a harmless invocation that proves each is there. */
const PROGRAMS: readonly { command: string; args: readonly string[]; package: string }[] = [
  { command: 'ip', args: ['-V'], package: 'iproute2' },
  { command: 'iptables', args: ['--version'], package: 'iptables' },
  { command: 'iptables-save', args: ['--version'], package: 'iptables' },
];

const FALLBACK = 'or use local.isolation: loopback, which works everywhere';

/**
 * Problems with `local.isolation: netns` on this host (none for loopback, or when the runtime is not local),
 * pointing at the `local.isolation` line: it needs Linux, root with CAP_NET_ADMIN and CAP_SYS_ADMIN, iproute2
 * and iptables. With netns, REDIRECT delivers intercepted traffic to 127.0.0.1, so `local.bindAddress` must be
 * 127.0.0.1 there.
 */
export function netnsProblems(loaded: LoadedScenario, probe: HostProbe = systemProbe): Problem[] {
  const { scenario } = loaded;
  if (scenario.runtime !== 'local' || scenario.local.isolation !== 'netns') return [];
  const at = loaded.where(['local', 'isolation']);
  if (probe.platform !== 'linux') {
    return [{ ...at, message: `local.isolation: netns needs Linux network namespaces; this is ${probe.platform}`, hint: `use local.isolation: loopback` }];
  }
  if (!probe.isRoot()) {
    return [
      {
        ...at,
        message: 'local.isolation: netns needs root: it creates network namespaces, veth pairs and iptables rules',
        hint: `run as root (sudo) ${FALLBACK}`,
      },
    ];
  }
  const problems: Problem[] = [];
  if (!probe.hasNetworkCapabilities()) {
    problems.push({
      ...at,
      message: 'local.isolation: netns needs CAP_NET_ADMIN and CAP_SYS_ADMIN, which this root process lacks (a container?)',
      hint: `run where root has them (docker run --cap-add NET_ADMIN --cap-add SYS_ADMIN) ${FALLBACK}`,
    });
  }
  const missing = PROGRAMS.filter((program) => !probe.runs(program.command, program.args));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((program) => program.package))];
    problems.push({
      ...at,
      message: `local.isolation: netns needs ${missing.map((program) => program.command).join(', ')}, not found on the PATH`,
      hint: `install ${packages.join(' and ')} (apt-get install ${packages.join(' ')}) ${FALLBACK}`,
    });
  }
  if (scenario.local.bindAddress !== '127.0.0.1') {
    problems.push({
      ...loaded.where(['local', 'bindAddress']),
      message: `with local.isolation: netns the client-side proxies listen on 127.0.0.1, where iptables REDIRECT delivers; got ${scenario.local.bindAddress}`,
      hint: 'remove local.bindAddress or set it to 127.0.0.1',
    });
  }
  return problems;
}
