import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startChild, type StartedChild } from '../../../../src/runtimes/local/child.ts';
import { createRunPki, type RunPki } from '../../../../src/runtimes/local/pki/run-pki.ts';
import { builtinProxy } from '../../../../src/runtimes/local/proxy/builtin.ts';
import { freePort } from '../../../../src/runtimes/local/proxy/free-port.ts';
import { script } from '../../../../src/runtimes/local/scripts.ts';
import type { ProxyImplementation } from '../../../../src/runtimes/local/proxy/implementation.ts';
import type { ClientTls, Endpoint, ProxySpec, ServerTls } from '../../../../src/runtimes/local/proxy/types.ts';

export const HOST = '127.0.0.1';

/**
 * What one test started with one proxy implementation (the built-in proxy unless told); `close()` stops and removes
 * all of it.
 */
export class Fixture {
  readonly dir: string;
  private readonly implementation: ProxyImplementation;
  private readonly proxies: StartedChild[] = [];
  private readonly servers: http.Server[] = [];
  private readonly agents: http.Agent[] = [];

  private constructor(dir: string, implementation: ProxyImplementation) {
    this.dir = dir;
    this.implementation = implementation;
  }

  static async create(implementation: ProxyImplementation = builtinProxy): Promise<Fixture> {
    return new Fixture(await mkdtemp(path.join(os.tmpdir(), 'meshtax-proxy-test-')), implementation);
  }

  /** A CA and identities written into this fixture's directory; DNS names are `<name>.test.meshtax.local`. */
  pki(identities: readonly string[]): Promise<RunPki> {
    return createRunPki(this.dir, 'proxy-test', 'test', identities);
  }

  async endpoint(): Promise<Endpoint> {
    return { host: HOST, port: await freePort(HOST) };
  }

  async proxy(spec: ProxySpec): Promise<StartedChild> {
    const child = await this.implementation.start(spec, this.dir);
    this.proxies.push(child);
    return child;
  }

  /** The built-in proxy process started directly, with extra command-line arguments (`--upstream-timeout-ms`). */
  async proxyProcess(spec: ProxySpec, extraArgs: readonly string[]): Promise<StartedChild> {
    const specFile = path.join(this.dir, `${spec.name}.json`);
    await writeFile(specFile, JSON.stringify(spec), { mode: 0o600 });
    const args = [script('proxy/builtin-proxy'), '--spec', specFile, ...extraArgs];
    const child = await startChild(`builtin proxy ${spec.name}`, process.execPath, args);
    this.proxies.push(child);
    return child;
  }

  /** An upstream HTTP/1.1 keep-alive server on 127.0.0.1 that counts the connections it accepted and their requests. */
  async server(handler: http.RequestListener): Promise<CountingServer> {
    const perSocket = new Map<Socket, number>();
    const server = http.createServer((request, response) => {
      perSocket.set(request.socket, (perSocket.get(request.socket) ?? 0) + 1);
      handler(request, response);
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => perSocket.set(socket, perSocket.get(socket) ?? 0));
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    this.servers.push(server);
    return {
      endpoint: { host: HOST, port: (server.address() as AddressInfo).port },
      connections: () => perSocket.size,
      requestsPerConnection: () => [...perSocket.values()],
      requests: () => [...perSocket.values()].reduce((a, b) => a + b, 0),
    };
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
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests served on each connection, in the order connections came. */
  requestsPerConnection(): number[];
  /** Requests served so far. */
  requests(): number;
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
  options: { agent?: http.Agent; method?: string; path?: string; body?: Buffer; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: endpoint.host,
        port: endpoint.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
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

/** Answers 200 `hello` to every request. */
export const helloHandler: http.RequestListener = (request, response) => {
  request.resume();
  response.writeHead(200, { 'content-length': '5' });
  response.end('hello');
};

/** One GET on `agent` (keep-alive), with a time limit; resolves with the status and the body as text. */
export function get(agent: http.Agent, endpoint: Endpoint, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: endpoint.host, port: endpoint.port, path: '/', agent, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no response within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}
