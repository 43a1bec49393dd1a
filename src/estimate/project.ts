import { round } from '../core/numbers.ts';
import { TOOL } from '../tool.ts';
import { BYTES_PER_GIB, type Fleet } from './fleet-schema.ts';
import type { Measured, Unused } from './measured.ts';
import { ESTIMATE_SCHEMA_VERSION, type EstimateResult, type EstimatedMode, type ModeEstimate, type Range } from './result-schema.ts';
import { type MeshRole } from '../core/modes.ts';

/**
 * The fleet arithmetic of `meshtax estimate`. A measured mesh cost is split in two:
 * - a fixed part, what each proxy uses before any request (the run's idle level), scaled by how many such proxies
 *   the fleet runs: a sidecar per pod, a node proxy per node, the fleet's waypoints;
 * - a traffic part, what the proxies use above idle per 1000 requests per second on the measured path, scaled by
 *   the fleet's requests per second. The measured path holds every proxy a request passes (both sidecars, both node
 *   proxies, the waypoint), so the per-request figure already counts both ends of a call.
 * Everything is linear in the measured mesh CPU and memory, so their interval ends go through the same arithmetic
 * to give the projected bounds. The idle level has no interval (one level per repetition, not a spread).
 */

/** Hours in a month for hourly prices: 8760 hours a year over 12 months. */
export const HOURS_PER_MONTH = 8760 / 12;

const SCALED_BY: Record<MeshRole, 'pods' | 'nodes' | 'waypoints'> = { sidecar: 'pods', 'node-proxy': 'nodes', waypoint: 'waypoints' };

export type FleetTotals = { services: number; pods: number; rps: number };

export function fleetTotals(fleet: Fleet): FleetTotals {
  return fleet.services.reduce(
    (t, s) => ({ services: t.services + s.count, pods: t.pods + s.count * s.pods, rps: t.rps + s.count * s.rps }),
    { services: 0, pods: 0, rps: 0 },
  );
}

/** A figure computed from a measured value and from each end of its interval (null ends when there is none). */
function carry(measured: number, interval: { low: number; high: number } | null, f: (x: number) => number): Range {
  return { value: f(measured), low: interval ? f(interval.low) : null, high: interval ? f(interval.high) : null };
}

function map(range: Range, f: (x: number) => number): Range {
  return { value: f(range.value), low: range.low === null ? null : f(range.low), high: range.high === null ? null : f(range.high) };
}

function combine(a: Range, b: Range, f: (x: number, y: number) => number): Range {
  return {
    value: f(a.value, b.value),
    low: a.low === null || b.low === null ? null : f(a.low, b.low),
    high: a.high === null || b.high === null ? null : f(a.high, b.high),
  };
}

function rounded(range: Range, digits: number): Range {
  return map(range, (x) => round(x, digits));
}

function missingFigures(m: Measured): string[] {
  const reasons: string[] = [];
  for (const role of m.roles) {
    if (role.idleCpuCores === null) reasons.push(`run.json has no idle CPU for the ${role.role} proxies (idleCpuCores is null), so the per-proxy part cannot be told from the per-request part`);
    if (role.idleMemoryBytes === null) reasons.push(`run.json has no idle memory for the ${role.role} proxies (idleMemoryBytes is null)`);
  }
  if (m.achievedRps <= 0) reasons.push('the mode\'s phases achieved no requests per second, so there is no per-request figure');
  return reasons;
}

function source(m: Measured): EstimatedMode['source'] {
  return {
    file: m.file,
    runId: m.runId,
    rate: m.rate,
    achievedRps: round(m.achievedRps, 2),
    repetitions: m.repetitions,
    confidence: m.confidence,
    reliability: m.reliability,
    intervalMethod: m.intervalMethod,
  };
}

function estimateMode(m: Measured, fleet: Fleet, totals: FleetTotals): ModeEstimate {
  const reasons = missingFigures(m);
  if (reasons.length > 0) return { status: 'not-estimated', mode: m.mode, baseline: m.baseline, source: source(m), reasons };
  const notes: string[] = [];
  const fleetCount = { pods: totals.pods, nodes: fleet.nodes.count, waypoints: fleet.waypoints };
  const fixed = m.roles.map((role) => {
    const scaledBy = SCALED_BY[role.role];
    const idleCpuPerProxyCores = role.idleCpuCores! / role.proxies;
    const idleMemoryPerProxyBytes = role.idleMemoryBytes! / role.proxies;
    const fleetProxies = fleetCount[scaledBy];
    return {
      role: role.role,
      scaledBy,
      measuredProxies: role.proxies,
      fleetProxies,
      idleCpuPerProxyCores: round(idleCpuPerProxyCores, 6),
      idleMemoryPerProxyBytes: Math.round(idleMemoryPerProxyBytes),
      cpuCores: round(idleCpuPerProxyCores * fleetProxies, 4),
      memoryBytes: Math.round(idleMemoryPerProxyBytes * fleetProxies),
    };
  });
  for (const role of m.roles) {
    if (role.idleCpuCores === 0) {
      notes.push(
        `the run measured no CPU at idle for the ${role.role} proxies (below what its sampler resolves): their fixed CPU is 0 here, though a real proxy spends a little on health checks, configuration and metrics`,
      );
    }
  }
  // What of the idle level the comparison's mesh figures contain (a shared component's is already taken out).
  const idleCpu = m.roles.reduce((t, role) => t + role.idleChargedCpuCores!, 0);
  const idleMemory = m.roles.reduce((t, role) => t + role.idleChargedMemoryBytes!, 0);
  const fixedCpu = m.roles.reduce((t, role) => t + (role.idleCpuCores! / role.proxies) * fleetCount[SCALED_BY[role.role]], 0);
  const fixedMemory = m.roles.reduce((t, role) => t + (role.idleMemoryBytes! / role.proxies) * fleetCount[SCALED_BY[role.role]], 0);
  const kRps = m.achievedRps / 1000;
  // Under load below idle is noise around a per-request cost too small to see: that part is taken as zero.
  const aboveIdle = (idle: number) => (underLoad: number) => Math.max(0, underLoad - idle) / kRps;
  const cpuPer1kRps = carry(m.meshCpuCores, m.meshCpuInterval, aboveIdle(idleCpu));
  const memoryPer1kRps = carry(m.meshMemoryBytes, m.meshMemoryInterval, aboveIdle(idleMemory));
  if (m.meshCpuCores < idleCpu) notes.push('the mesh CPU under load was below its idle level: the per-request CPU is taken as 0');
  if (m.meshMemoryBytes < idleMemory) notes.push('the mesh memory under load was below its idle level: the per-request memory is taken as 0');
  const perFleet = (x: number) => (x * totals.rps) / 1000;
  const trafficCpu = map(cpuPer1kRps, perFleet);
  const trafficMemory = map(memoryPer1kRps, perFleet);
  const cpuCores = map(trafficCpu, (traffic) => traffic + fixedCpu);
  const memoryBytes = map(trafficMemory, (traffic) => traffic + fixedMemory);
  const nodes = combine(cpuCores, memoryBytes, (cores, bytes) => Math.max(cores / fleet.nodes.cores, bytes / fleet.nodes.memory));
  const { nodeMonth, coreHour, gibHour } = fleet.price;
  const byNodeMonth = nodeMonth === undefined ? null : rounded(map(nodes, (n) => n * nodeMonth), 2);
  const byResourceHours =
    coreHour === undefined || gibHour === undefined
      ? null
      : rounded(combine(cpuCores, memoryBytes, (cores, bytes) => (cores * coreHour + (bytes / BYTES_PER_GIB) * gibHour) * HOURS_PER_MONTH), 2);
  const money = byNodeMonth ?? byResourceHours;
  const hourly = fleet.networkTax?.hourlyCost;
  const engineerHours =
    money === null || hourly === undefined || hourly === 0 ? null : rounded(map(money, (cost) => cost / hourly), 1);
  const without = [m.meshCpuInterval === null ? 'CPU' : '', m.meshMemoryInterval === null ? 'memory' : ''].filter((what) => what !== '');
  if (without.length > 0) {
    notes.push(`run.json has no interval for the mesh ${without.join(' or ')} (${m.repetitions} repetition(s)); bounds that need it are left out`);
  }
  if (m.reliability === 'low') notes.push(`low reliability: intervals from ${m.repetitions} repetitions`);
  return {
    status: 'estimated',
    mode: m.mode,
    baseline: m.baseline,
    source: source(m),
    measured: {
      meshCpuCores: m.meshCpuCores,
      meshCpuInterval: m.meshCpuInterval,
      meshMemoryBytes: m.meshMemoryBytes,
      meshMemoryInterval: m.meshMemoryInterval,
      meshCpuPer1kRps: m.meshCpuPer1kRps,
      idleCpuCores: round(idleCpu, 4),
      idleMemoryBytes: Math.round(idleMemory),
      latencyDeltaUs: m.latencyDeltaUs,
      latencyIntervalUs: m.latencyIntervalUs,
    },
    fixed,
    traffic: {
      fleetRps: totals.rps,
      cpuPer1kRps: rounded(cpuPer1kRps, 6),
      memoryPer1kRpsBytes: rounded(memoryPer1kRps, 0),
      cpuCores: rounded(trafficCpu, 4),
      memoryBytes: rounded(trafficMemory, 0),
    },
    cpuCores: rounded(cpuCores, 4),
    memoryBytes: rounded(memoryBytes, 0),
    nodes: rounded(nodes, 4),
    wholeNodes: Math.ceil(round(nodes.value, 9)),
    money: { byNodeMonth, byResourceHours },
    engineerHours,
    notes,
  };
}

/** The model, in sentences, for every output format. */
export function modelText(): string[] {
  return [
    'Each measured mesh cost (CPU, memory) is split into a fixed part and a traffic part.',
    'Fixed part: what each proxy uses before any request (the idle level the run measured), times the proxies the fleet would run: one sidecar per pod, one node proxy per node, the fleet\'s waypoints.',
    'Traffic part: what the proxies use above idle, per 1000 requests per second achieved on the measured path, times the requests per second the fleet\'s services receive. The measured path holds every proxy one request passes (both sidecars, both node proxies, the waypoint), so a call between two meshed services counts once; calls from outside the mesh pass only one end, so this overstates them.',
    'Memory above idle is scaled with traffic like CPU: proxies hold buffers and connections for requests in flight, which grow with the request rate at a given latency.',
    'Bounds: the same arithmetic on the low and the high end of the measured confidence interval of the mesh CPU and memory (linear, so the ends map to ends); the idle level is carried as measured (it has no interval). Under load below idle gives a traffic part of 0, never a negative cost.',
    'Nodes: node-equivalents, the larger of CPU / node cores and memory / node memory; capacity, not bin-packing.',
    `Money: nodes × price per node-month, and/or (cores × price per core-hour + GiB × price per GiB-hour) × ${HOURS_PER_MONTH} hours a month.`,
    'Only valid comparisons are used; an invalid one (below its rate, failed requests, the generator\'s own tail) is not mesh tax. Per mode, the highest open-loop rate measured is used, then the newest run.',
  ];
}

export function estimate(
  fleet: Fleet,
  fleetFile: string,
  measured: readonly Measured[],
  unused: readonly Unused[],
): EstimateResult {
  const totals = fleetTotals(fleet);
  const tax = fleet.networkTax;
  return {
    schemaVersion: ESTIMATE_SCHEMA_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    fleet: {
      name: fleet.metadata.name,
      file: fleetFile,
      services: totals.services,
      pods: totals.pods,
      rps: totals.rps,
      nodes: fleet.nodes.count,
      nodeCores: fleet.nodes.cores,
      nodeMemoryBytes: fleet.nodes.memory,
      waypoints: fleet.waypoints,
      currency: fleet.currency,
      hoursPerMonth: HOURS_PER_MONTH,
    },
    model: modelText(),
    modes: measured.map((m) => estimateMode(m, fleet, totals)),
    unused: [...unused],
    networkTax: tax
      ? { engineerHoursPerMonth: tax.engineerHoursPerMonth, hourlyCost: tax.hourlyCost, monthlyCost: round(tax.engineerHoursPerMonth * tax.hourlyCost, 2) }
      : null,
  };
}
