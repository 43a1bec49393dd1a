import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from '../../../src/analysis/statistics/student-t.ts';

// Critical values of Student's t, one-sided upper probability 0.05, 0.025 and 0.005, as printed in the NIST/SEMATECH
// e-Handbook of Statistical Methods, table 1.3.6.7.2 "Critical Values of the Student's t Distribution" (3 decimals).
const TABLE: readonly [df: number, p95: number, p975: number, p995: number][] = [
  [1, 6.314, 12.706, 63.657],
  [2, 2.92, 4.303, 9.925],
  [3, 2.353, 3.182, 5.841],
  [4, 2.132, 2.776, 4.604],
  [5, 2.015, 2.571, 4.032],
  [9, 1.833, 2.262, 3.25],
  [10, 1.812, 2.228, 3.169],
  [20, 1.725, 2.086, 2.845],
  [30, 1.697, 2.042, 2.75],
  [100, 1.66, 1.984, 2.626],
];

describe("Student's t quantile", () => {
  it('matches the published table to 3 decimals', () => {
    for (const [df, p95, p975, p995] of TABLE) {
      expect(studentTQuantile(0.95, df), `df ${df}, 0.95`).toBeCloseTo(p95, 3);
      expect(studentTQuantile(0.975, df), `df ${df}, 0.975`).toBeCloseTo(p975, 3);
      expect(studentTQuantile(0.995, df), `df ${df}, 0.995`).toBeCloseTo(p995, 3);
    }
  });

  it('matches the closed forms for 1 and 2 degrees of freedom to 9 digits', () => {
    for (const p of [0.6, 0.9, 0.975, 0.999]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 9);
    }
  });

  it('is symmetric, 0 at the median, and approaches the normal quantile for large df', () => {
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-studentTQuantile(0.975, 4), 12);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
  });

  it('takes Welch-style fractional degrees of freedom between the whole ones', () => {
    const q = studentTQuantile(0.975, 4.5);
    expect(q).toBeLessThan(studentTQuantile(0.975, 4));
    expect(q).toBeGreaterThan(studentTQuantile(0.975, 5));
  });

  it('inverts the CDF', () => {
    for (const df of [1, 3, 7.3, 50]) {
      for (const p of [0.01, 0.3, 0.8, 0.995]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
    }
  });

  it('rejects a probability outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom/);
  });
});
