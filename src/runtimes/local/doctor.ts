import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import { builtinProxy } from './proxy/builtin.ts';
import { detectHaproxy } from './proxy/haproxy.ts';
import type { Check } from '../check.ts';

/** What makes the local runtime work, and what would make its numbers less trustworthy. */
export async function localChecks(): Promise<Check[]> {
  return [
    nodeCheck(),
    coresCheck(),
    loadCheck(),
    ...(await proxyChecks()),
    frequencyCheck(),
    pssCheck(),
    await netnsCheck(),
    await iptablesCheck(),
  ];
}

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22
    ? { name: 'node', status: 'ok', detail: process.version }
    : { name: 'node', status: 'fail', detail: process.version, hint: 'meshtax needs Node 22 or 24; run it through npx in a clone, which brings Node 24' };
}

function coresCheck(): Check {
  const count = os.cpus().length;
  if (count >= 4) return { name: 'cpu cores', status: 'ok', detail: `${count}` };
  return {
    name: 'cpu cores',
    status: 'warn',
    detail: `${count}`,
    hint: 'the open-loop generator keeps one core busy per worker; with fewer than 4 cores it shares them with the servers and proxies it measures, so compare modes side by side in one run rather than across machines',
  };
}

function loadCheck(): Check {
  const [one] = os.loadavg();
  const cores = os.cpus().length;
  const detail = `1-minute load average ${one!.toFixed(2)} on ${cores} cores`;
  return one! > cores * 0.5
    ? { name: 'machine load', status: 'warn', detail, hint: 'other work on this machine will add noise; stop it or repeat phases (load.repetitions)' }
    : { name: 'machine load', status: 'ok', detail };
}

async function proxyChecks(): Promise<Check[]> {
  const haproxy = await detectHaproxy();
  return [
    haproxy
      ? { name: 'haproxy', status: 'ok', detail: `HAProxy ${haproxy.identity.version} (used by local.proxy: auto)` }
      : {
          name: 'haproxy',
          status: 'warn',
          detail: 'not installed: local.proxy: auto uses the built-in proxy',
          hint: 'apt-get install haproxy for a real, widely deployed proxy',
        },
    { name: 'built-in proxy', status: 'ok', detail: builtinProxy.identity.version },
  ];
}

function frequencyCheck(): Check {
  const base = '/sys/devices/system/cpu';
  const governors = new Set<string>();
  for (const entry of existsSync(base) ? readdirSync(base) : []) {
    const file = `${base}/${entry}/cpufreq/scaling_governor`;
    if (/^cpu\d+$/.test(entry) && existsSync(file)) governors.add(readFileSync(file, 'utf8').trim());
  }
  const noTurbo = `${base}/intel_pstate/no_turbo`;
  const turbo = existsSync(noTurbo) && readFileSync(noTurbo, 'utf8').trim() === '0' ? '; turbo boost on' : '';
  if (governors.size === 0) {
    return { name: 'cpu frequency', status: 'info', detail: `scaling not exposed (a virtual machine, or no cpufreq driver)${turbo}` };
  }
  const list = [...governors].join(', ');
  return governors.size === 1 && governors.has('performance') && !turbo
    ? { name: 'cpu frequency', status: 'ok', detail: 'governor performance' }
    : {
        name: 'cpu frequency',
        status: 'warn',
        detail: `governor ${list}${turbo}`,
        hint: 'frequency scaling moves latency between phases; set the performance governor (cpupower frequency-set -g performance) and disable turbo for stable numbers',
      };
}

function pssCheck(): Check {
  return existsSync('/proc/self/smaps_rollup')
    ? { name: 'memory accounting', status: 'ok', detail: 'PSS from /proc/<pid>/smaps_rollup' }
    : { name: 'memory accounting', status: 'warn', detail: 'no smaps_rollup: memory is RSS, which counts shared pages in every process' };
}

async function netnsCheck(): Promise<Check> {
  const name = 'network namespaces';
  if (process.platform !== 'linux') return { name, status: 'info', detail: 'not Linux: local.isolation: netns is unavailable' };
  if (process.getuid?.() !== 0) return { name, status: 'info', detail: 'not root: local.isolation: netns is unavailable' };
  const probe = `meshtax-doctor-${process.pid}`;
  const added = await execa('ip', ['netns', 'add', probe], { reject: false });
  if (added.failed) {
    return { name, status: 'warn', detail: `ip netns add failed: ${(added.stderr || added.originalMessage || '').trim()}`, hint: 'install iproute2' };
  }
  await execa('ip', ['netns', 'delete', probe], { reject: false });
  return { name, status: 'ok', detail: 'root can create namespaces: local.isolation: netns is available' };
}

async function iptablesCheck(): Promise<Check> {
  const result = await execa('iptables', ['--version'], { reject: false });
  return result.failed
    ? { name: 'iptables', status: 'info', detail: 'not installed: netns isolation cannot intercept traffic', hint: 'apt-get install iptables' }
    : { name: 'iptables', status: 'ok', detail: result.stdout.trim() };
}
