/** Monotonic time in microseconds (CLOCK_MONOTONIC, shared by all threads of the process). */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
