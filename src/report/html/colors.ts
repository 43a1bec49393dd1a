/**
 * One colour per mode on every page (report.html and history.html): a mode's colour follows from its name alone,
 * never from the order modes happen to appear in, so "sidecar" is the same red in a run's report and in the trend
 * of fifty runs. The usual modes have fixed colours; any other name picks from the palette by a hash of the name.
 */

const FIXED: Readonly<Record<string, string>> = {
  baseline: '#4b5563',
  'baseline-aa': '#9ca3af',
  sidecar: '#dc2626',
  'node-proxy': '#d97706',
  ambient: '#d97706',
  waypoint: '#7c3aed',
};

const PALETTE = ['#2563eb', '#059669', '#db2777', '#0891b2', '#65a30d', '#9333ea', '#ea580c', '#0d9488', '#be123c', '#4f46e5'];

/** FNV-1a over the UTF-16 code units: stable across Node and browsers, and cheap. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function modeColor(mode: string): string {
  return FIXED[mode] ?? PALETTE[hash(mode) % PALETTE.length]!;
}

/** The colour of each mode named, for a page to embed. */
export function modeColors(modes: Iterable<string>): Record<string, string> {
  return Object.fromEntries([...new Set(modes)].map((mode) => [mode, modeColor(mode)]));
}
