import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import type { Endpoint } from './proxy/types.ts';

/** TCP state LISTEN in /proc/net/tcp. */
const TCP_LISTEN = '0A';

/**
 * The address and port of a socket as /proc/net/tcp{,6} print them: the address's 32-bit words in host byte order
 * (little-endian on every platform meshtax runs on), then the port, all in upper-case hex; `0100007F:1F90` is
 * 127.0.0.1:8080. IPv4 and ::1 only: those are all the local runtime listens on.
 */
export function socketKey(endpoint: Endpoint): string {
  const port = endpoint.port.toString(16).toUpperCase().padStart(4, '0');
  if (net.isIPv4(endpoint.host)) {
    const bytes = endpoint.host.split('.').map(Number).reverse();
    return `${bytes.map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join('')}:${port}`;
  }
  if (endpoint.host === '::1') return `${'0'.repeat(24)}01000000:${port}`;
  throw new Error(`socket keys are for IPv4 and ::1; got ${endpoint.host}`);
}

/**
 * Keys (see socketKey) of the sockets `pid` holds that are listening, as seen from its own network namespace
 * (/proc/<pid>/net is the process's namespace's table); an empty set when it has exited (its exit tells the caller
 * why), undefined where /proc cannot tell (not Linux, or not allowed to look).
 */
export async function ownedListeners(pid: number): Promise<Set<string> | undefined> {
  let links: string[];
  try {
    const fds = await readdir(`/proc/${pid}/fd`);
    links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? new Set() : undefined;
  }
  const inodes = new Set<string>();
  for (const link of links) {
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match) inodes.add(match[1]!);
  }
  const owned = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, , state] = fields;
      const inode = fields[9];
      if (local && state === TCP_LISTEN && inode && inodes.has(inode)) owned.add(local);
    }
  }
  return owned;
}
