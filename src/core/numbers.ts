/** `value` rounded to `digits` decimal places (half away from zero for positives, as Math.round). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
