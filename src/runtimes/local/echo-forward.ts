import http from 'node:http';

/**
 * The echo server's forwarding mode, for call chains: every request it serves makes `fanOut` parallel GETs to the
 * next service, reads their bodies, and is answered only once all of them have come back with a 2xx status (502
 * otherwise, naming the failure) — one service of a chain, the way a request handler calling a downstream service
 * waits for it. Connections to the next service are kept alive and not capped, so the next hop's latency, not a
 * connection pool, is what a request waits for.
 */
export function forwarder(url: string, fanOut: number): (done: (error?: string) => void) => void {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  const call = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const request = http.get(target, { agent }, (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`${target.host} answered ${status}`));
        });
      });
      request.on('error', reject);
    });
  return (done) => {
    Promise.all(Array.from({ length: fanOut }, call)).then(
      () => done(),
      (error: unknown) => done(error instanceof Error ? error.message : String(error)),
    );
  };
}
