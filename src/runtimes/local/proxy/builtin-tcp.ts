/**
 * The built-in proxy's L4 listener, like ztunnel: each downstream connection (plain, or mTLS terminated here) gets
 * its own upstream connection (plain, or mTLS originated here) and bytes are copied both ways. When either side
 * ends (FIN) or closes, the other is ended after what is already queued for it has been written; when either fails,
 * both are destroyed at once. Tunnels are not kept half-open: a side that sent FIN is closed, so bytes the other
 * side sends after that are dropped (HTTP clients and servers never rely on that).
 */
import net from 'node:net';
import tls from 'node:tls';
import { describeError, type ReportProblem } from './builtin-log.ts';
import { clientTlsOptions, serverTlsOptions } from './builtin-tls.ts';
import type { Listener } from './types.ts';

/** After one side has closed, how long the other may go quiet while it flushes what it still holds. */
const CLOSE_GRACE_MS = 10_000;

/** The peer of a closed socket: flush and send FIN, and destroy it if it then sits idle. */
function finish(socket: net.Socket): void {
  if (socket.destroyed) return;
  socket.end();
  socket.setTimeout(CLOSE_GRACE_MS, () => socket.destroy());
}

export function createTcpListener(listener: Listener, report: ReportProblem): net.Server {
  const { host, port } = listener.upstream;
  const upstreamName = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const problemPrefix = `listener '${listener.name}': upstream ${upstreamName}`;
  // HTTP/2 traffic: TLS legs negotiate h2 with ALPN, so the L7 hop behind this one knows what it carries.
  const alpn = listener.h2 ? { ALPNProtocols: ['h2'] } : {};
  const upstreamTls = listener.upstreamTls ? { ...clientTlsOptions(listener.upstreamTls), ...alpn } : undefined;
  const connect = (): net.Socket =>
    upstreamTls ? tls.connect({ ...upstreamTls, host, port }) : net.connect({ host, port, noDelay: true });

  const onConnection = (downstream: net.Socket): void => {
    downstream.setNoDelay(true);
    const upstream = connect();
    upstream.setNoDelay(true);
    const destroyBoth = (): void => {
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on('error', destroyBoth);
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      report(`upstream ${listener.name} ${error.code ?? error.message}`, `${problemPrefix}: ${describeError(error)}`);
      destroyBoth();
    });
    // pipe() passes an end (FIN) on after the data before it; a side that closes without one ends the other.
    downstream.on('close', () => finish(upstream));
    upstream.on('close', () => finish(downstream));
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  };

  if (!listener.tls) return net.createServer({ noDelay: true }, onConnection);
  const server = tls.createServer({ ...serverTlsOptions(listener.tls), ...alpn, noDelay: true }, onConnection);
  server.on('tlsClientError', (error) =>
    report(`tls-client ${listener.name}`, `listener '${listener.name}': rejected a client: ${describeError(error)}`),
  );
  return server;
}
