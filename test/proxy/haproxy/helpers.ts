import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { StartedChild } from '../../../src/runtimes/local/child.ts';
import { createAuthority, identityDnsName, issueIdentity } from '../../../src/runtimes/local/pki/certificates.ts';
import { detectHaproxy, type HaproxyImplementation } from '../../../src/runtimes/local/proxy/haproxy.ts';
import type { ClientTls, ServerTls } from '../../../src/runtimes/local/proxy/types.ts';

/**
 * HAProxy as installed here. These tests never skip: CI installs HAProxy, and a missing one is a broken
 * environment, not a reason to pass.
 */
export async function requireHaproxy(): Promise<HaproxyImplementation> {
  const haproxy = await detectHaproxy();
  if (!haproxy) {
    throw new Error(
      'HAProxy is not installed (no haproxy on the PATH, in /usr/sbin or /usr/local/sbin): ' +
        'apt-get install haproxy. CI installs it; these tests do not skip without it.',
    );
  }
  return haproxy;
}

/** `haproxy -dW -c -f <file>`: a configuration check that also fails on any warning. */
export async function checkConfig(
  haproxy: HaproxyImplementation,
  text: string,
): Promise<{ ok: boolean; output: string }> {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'check.cfg');
    writeFileSync(file, text, { mode: 0o600 });
    const result = await execa(haproxy.command, ['-dW', '-c', '-f', file], { reject: false, all: true });
    return { ok: result.exitCode === 0, output: result.all };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh 0700 directory, removed by the caller. */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'meshtax-haproxy-test-'));
}

export const MODE = 'test';

export interface IdentityFiles {
  dnsName: string;
  certFile: string;
  keyFile: string;
  bundleFile: string;
}

export interface TestPki {
  caFile: string;
  identity(name: string): IdentityFiles;
}

/**
 * A run CA and certificates for the named identities, written into `dir` the way createRunPki lays them out, but
 * with every PEM ending in a line break: OpenSSL cannot read a bundle whose certificate's END line runs into the
 * key's BEGIN line.
 */
export async function testPki(dir: string, identities: readonly string[]): Promise<TestPki> {
  const pem = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  const authority = await createAuthority('haproxy-test');
  const caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, pem(authority.certPem), { mode: 0o644 });
  const files = new Map<string, IdentityFiles>();
  for (const name of identities) {
    const dnsName = identityDnsName(name, MODE);
    const pair = await issueIdentity(authority, dnsName);
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    const bundleFile = path.join(dir, `${name}.pem`);
    writeFileSync(certFile, pem(pair.certPem), { mode: 0o644 });
    writeFileSync(keyFile, pem(pair.keyPem), { mode: 0o600 });
    writeFileSync(bundleFile, pem(pair.certPem) + pem(pair.keyPem), { mode: 0o600 });
    files.set(name, { dnsName, certFile, keyFile, bundleFile });
  }
  return {
    caFile,
    identity: (name) => {
      const found = files.get(name);
      if (!found) throw new Error(`no certificate for identity '${name}'`);
      return found;
    },
  };
}

export function serverTls(pki: TestPki, identity: string): ServerTls {
  const own = pki.identity(identity);
  return { certFile: own.certFile, keyFile: own.keyFile, bundleFile: own.bundleFile, caFile: pki.caFile };
}

export function clientTls(pki: TestPki, identity: string, serverName: string): ClientTls {
  return { ...serverTls(pki, identity), serverName };
}

export interface CountingServer {
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests served on each connection, in the order connections came. */
  requestsPerConnection(): number[];
  close(): Promise<void>;
}

/** An HTTP/1.1 keep-alive server on 127.0.0.1 that answers 200 `hello` and counts connections. */
export async function startCountingServer(): Promise<CountingServer> {
  const perSocket = new Map<Socket, number>();
  const server = http.createServer((request, response) => {
    perSocket.set(request.socket, (perSocket.get(request.socket) ?? 0) + 1);
    request.resume();
    response.writeHead(200, { 'content-length': '5' });
    response.end('hello');
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => perSocket.set(socket, perSocket.get(socket) ?? 0));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => perSocket.size,
    requestsPerConnection: () => [...perSocket.values()],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  body: string;
}

/** One GET on `agent` (keep-alive), with a time limit. */
export function get(agent: http.Agent, port: number, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (response) => {
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

/** Children and servers a test started, stopped afterwards whatever happened. */
export class Cleanup {
  private readonly tasks: (() => Promise<void> | void)[] = [];

  child(child: StartedChild): StartedChild {
    this.tasks.push(() => child.stop());
    return child;
  }

  add(task: () => Promise<void> | void): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) await task();
  }
}
