import { formatBytes, formatCores, formatRate, modeLabel } from '../core/format.ts';
import type { Comparison } from '../results/schema.ts';

/**
 * What each mode added to its mesh's control plane, as every report shows it beside the mesh CPU and memory: one
 * line per comparison that measured a control plane. Kept out of the mesh columns because it is shared and does
 * not grow with the traffic the proxies carry (see controlPlaneCost in analysis/comparisons.ts).
 */
export function controlPlaneLines(comparisons: readonly Comparison[]): string[] {
  const rows = comparisons.filter((c) => c.controlPlaneCpuCores !== undefined);
  if (rows.length === 0) return [];
  return [
    'control plane, its increase over idle (shared, not in mesh CPU and memory):',
    ...rows.map(
      (c) =>
        `  ${modeLabel(c)} @ ${formatRate(c.rate)} rps: ${formatCores(c.controlPlaneCpuCores ?? null)} cores, ${formatBytes(c.controlPlaneMemoryBytes ?? null)}`,
    ),
  ];
}
