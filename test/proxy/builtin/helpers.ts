import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startChild, type StartedChild } from '../../../src/runtimes/local/child.ts';
import { createRunPki, type RunPki } from '../../../src/runtimes/local/pki/run-pki.ts';
import { builtinProxy } from '../../../src/runtimes/local/proxy/builtin.ts';
import { freePort } from '../../../src/runtimes/local/proxy/free-port.ts';
import { script } from '../../../src/runtimes/local/scripts.ts';
import type { ClientTls, Endpoint, ProxySpec, ServerTls } from '../../../src/runtimes/local/proxy/types.ts';

export const HOST = '127.0.0.1';

/** What one test started; `close()` stops and removes all of it. */
export class Fixture {
  readonly dir: string;
  private readonly proxies: StartedChild[] = [];
  private readonly servers: http.Server[] = [];
  private readonly agents: http.Agent[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<Fixture> {
    return new Fixture(await mkdtemp(path.join(os.tmpdir(), 'meshtax-builtin-test-')));
  }

  /** A CA and identities written into this fixture's directory; DNS names are `<name>.test.meshtax.local`. */
  pki(identities: readonly string[]): Promise<RunPki> {
    return createRunPki(this.dir, 'builtin-test', 'test', identities);
  }

  async endpoint(): Promise<Endpoint> {
    return { host: HOST, port: await freePort(HOST) };
  }

  async proxy(spec: ProxySpec): Promise<StartedChild> {
    const child = await builtinProxy.start(spec, this.dir);
    this.proxies.push(child);
    return child;
  }

  /** The proxy process started directly, with extra command-line arguments (`--upstream-timeout-ms`). */
  async proxyProcess(spec: ProxySpec, extraArgs: readonly string[]): Promise<StartedChild> {
    const specFile = path.join(this.dir, `${spec.name}.json`);
    await writeFile(specFile, JSON.stringify(spec), { mode: 0o600 });
    const args = [script('proxy/builtin-proxy'), '--spec', specFile, ...extraArgs];
    const child = await startChild(`builtin proxy ${spec.name}`, process.execPath, args);
    this.proxies.push(child);
    return child;
  }

  /** An upstream HTTP server on 127.0.0.1 that counts the connections it accepted. */
  async server(handler: http.RequestListener): Promise<CountingServer> {
    const server = http.createServer(handler);
    server.keepAliveTimeout = 60_000;
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    this.servers.push(server);
    return { endpoint: { host: HOST, port: (server.address() as AddressInfo).port }, connections: () => connections };
  }

  /** A keep-alive agent with a single connection, so sequential requests share one downstream connection. */
  agent(): http.Agent {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.agents.push(agent);
    return agent;
  }

  async close(): Promise<void> {
    for (const agent of this.agents) agent.destroy();
    await Promise.all(this.proxies.map((proxy) => proxy.stop()));
    for (const server of this.servers) server.closeAllConnections();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface CountingServer {
  endpoint: Endpoint;
  connections(): number;
}

export function serverTls(pki: RunPki, identity: string): ServerTls {
  const files = pki.identity(identity);
  return { certFile: files.certFile, keyFile: files.keyFile, bundleFile: files.bundleFile, caFile: pki.caFile };
}

export function clientTls(pki: RunPki, identity: string, serverName: string): ClientTls {
  return { ...serverTls(pki, identity), serverName };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
}

/** One HTTP request; resolves with the whole response. */
export function fetchOnce(
  endpoint: Endpoint,
  options: { agent?: http.Agent; method?: string; path?: string; body?: Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: endpoint.host,
        port: endpoint.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        agent: options.agent ?? false,
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
            reusedSocket: request.reusedSocket,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('test request timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Echoes the request body back with its SHA-256 in a header; GET /big answers 64 KiB. */
export const echoHandler: http.RequestListener = (request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = request.url === '/big' ? BIG_BODY : Buffer.concat(chunks);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'x-body-sha256': sha256(body),
      'x-seen-via': request.headers.via ?? '',
      'x-seen-forwarded-for': request.headers['x-forwarded-for'] ?? '',
    });
    response.end(body);
  });
};

/** 64 KiB of varied bytes (not one repeated byte), so a lost or reordered chunk changes the hash. */
export const BIG_BODY = Buffer.from(Array.from({ length: 64 * 1024 }, (_value, i) => (i * 7919 + (i >> 8)) & 0xff));

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
