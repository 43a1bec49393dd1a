import type { ChainResult } from '../results/schema.ts';
import { formatDeltaUs, formatRate } from '../core/format.ts';
import { NO_INTERVAL, usBound } from './uncertainty.ts';

/**
 * The call-chain table every text report shows: per mode and rate the end-to-end delta at each depth, the per-hop
 * tax (the slope) with its interval, the single-hop delta and whether it lies inside that interval, and how the tail
 * grows with depth. Cells are plain strings; the terminal and report.md lay them out.
 */

type Fit = ChainResult['perHopUs']['p50'];

/** "+210 µs [150, 270]", "+210 µs no interval"; `gap` between estimate and interval (a newline in the terminal). */
export function fitText(fit: Fit, gap = ' '): string {
  const range = fit.interval ? `[${usBound(fit.interval.low, fit.estimate ?? 0)}, ${usBound(fit.interval.high, fit.estimate ?? 0)}]` : NO_INTERVAL;
  return `${formatDeltaUs(fit.estimate)}${gap}${range}`;
}

const COMPOUNDING: Record<ChainResult['compounding']['p99'], string> = {
  'faster-than-linear': 'compounds (faster than linear)',
  linear: 'linear (curvature\'s interval includes 0)',
  'slower-than-linear': 'slower than linear',
  unknown: 'unknown',
};

export const CHAIN_HEAD = ['mode', 'rate', 'rounds', 'Δp50 per depth', 'Δp99 per depth', 'per hop Δp50', 'per hop Δp99', 'single hop Δp50', 'p99 with depth'];

/** The rows; `gap` separates the parts of a cell: ' ' in one-line Markdown cells, '\n' in the terminal's. */
export function chainRows(chains: readonly ChainResult[], gap = ' '): string[][] {
  return chains.map((chain) => {
    const single = chain.singleHop.p50;
    const inside = single.withinPerHopInterval === null ? NO_INTERVAL : single.withinPerHopInterval ? 'inside the per-hop interval' : 'outside the per-hop interval';
    return [
      chain.fanOut > 1 ? `${chain.mode} (fan-out ${chain.fanOut})` : chain.mode,
      formatRate(chain.rate),
      String(chain.rounds),
      chain.perDepth.map((row) => `${row.depth}: ${formatDeltaUs(row.latencyDeltaUs.p50)}`).join(`,${gap}`),
      chain.perDepth.map((row) => `${row.depth}: ${formatDeltaUs(row.latencyDeltaUs.p99)}`).join(`,${gap}`),
      fitText(chain.perHopUs.p50, gap),
      fitText(chain.perHopUs.p99, gap),
      `${formatDeltaUs(single.deltaUs)},${gap}${inside}`,
      chain.curvatureUs ? `${COMPOUNDING[chain.compounding.p99]};${gap}curvature ${fitText(chain.curvatureUs.p99)}` : 'needs depth 3 or more',
    ];
  });
}

export const CHAIN_NOTE =
  'per hop: least-squares slope of the delta over depth; curvature: its quadratic term (µs per hop²), above 0 when the tax compounds. ' +
  'Intervals: 95% Student t over the rounds\' own fits, each depth paired with baseline at that depth.';
