import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago: binds port 0, reads the port the kernel chose and closes.
 * Another process may take it before the caller binds it; callers that need certainty must handle EADDRINUSE.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
