import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One fake process in a fixture /proc tree. Times in clock ticks, memory in kB as the kernel writes it. */
export interface FixtureProcess {
  pid: number;
  comm: string;
  state?: string;
  ppid?: number;
  utime?: number;
  stime?: number;
  cutime?: number;
  cstime?: number;
  startTime?: number;
  /** VmRSS in kB; omitted from status when undefined (as for a zombie). */
  rssKb?: number;
  /** Pss in kB; no smaps_rollup file when undefined. */
  pssKb?: number;
}

/** The stat line the kernel would write (fields 1–24, then zeros). */
export function statLine(p: FixtureProcess): string {
  const fields = [
    p.state ?? 'S', p.ppid ?? 1, p.pid, p.pid, 0, -1, 4194560, 120, 0, 0, 0,
    p.utime ?? 0, p.stime ?? 0, p.cutime ?? 0, p.cstime ?? 0, 20, 0, 1, 0, p.startTime ?? 1000, 3133440, 394,
  ];
  return `${p.pid} (${p.comm}) ${fields.join(' ')} 18446744073709551615 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;
}

/** A temporary directory laid out like /proc. */
export class ProcFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'meshtax-proc-'));

  add(p: FixtureProcess): void {
    const dir = join(this.root, String(p.pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), statLine(p));
    const rss = p.rssKb === undefined ? '' : `VmRSS:\t${String(p.rssKb).padStart(8)} kB\n`;
    writeFileSync(join(dir, 'status'), `Name:\t${p.comm.slice(0, 15)}\nState:\t${p.state ?? 'S'}\n${rss}Threads:\t1\n`);
    if (p.pssKb !== undefined) {
      const header = '00400000-7ffc00000000 ---p 00000000 00:00 0 [rollup]\n';
      writeFileSync(join(dir, 'smaps_rollup'), `${header}Rss: ${p.rssKb ?? 0} kB\nPss: ${p.pssKb} kB\nPss_Anon: 1 kB\n`);
    }
  }

  remove(pid: number): void {
    rmSync(join(this.root, String(pid)), { recursive: true, force: true });
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
