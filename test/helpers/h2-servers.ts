import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { builtinRoot, ECHO_METHOD, encodeRequest, unaryMethod } from '../../src/protocols/grpc.ts';

export interface H2TestServer {
  url: string;
  streams: () => number;
  close(): Promise<void>;
}

type StreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;

/** A self-signed certificate for 127.0.0.1, made by openssl for one test; removed by `remove`. */
export function testCertificate(): { key: Buffer; cert: Buffer; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-h2-cert-'));
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  const files = { key: readFileSync(key), cert: readFileSync(cert) };
  return { ...files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A node:http2 server on 127.0.0.1, port 0: h2c, or TLS (ALPN h2 only) with the given certificate. */
export async function startH2Server(handler: StreamHandler, tls?: { key: Buffer; cert: Buffer }): Promise<H2TestServer> {
  let count = 0;
  const server = tls ? http2.createSecureServer({ ...tls, allowHTTP1: false }) : http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    count++;
    stream.on('error', () => {});
    handler(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    streams: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every stream with 200 and "hello" once its request has ended, after `delay()` ms. */
export function okStream(delay: () => number = () => 0): StreamHandler {
  return (stream) => {
    stream.resume();
    stream.on('end', () => {
      const reply = (): void => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-length': 5 });
        stream.end('hello');
      };
      const ms = delay();
      if (ms > 0) setTimeout(reply, ms);
      else reply();
    });
  };
}

/**
 * How long a response waits, like a server with a long GC pause: during `stallMs` out of every `periodMs`, until the
 * stall ends. The clock starts at the first request.
 */
export function stallDelay(periodMs: number, stallMs: number): () => number {
  let origin = 0;
  return () => {
    const now = performance.now();
    if (origin === 0) origin = now;
    const intoPeriod = (now - origin) % periodMs;
    return intoPeriod >= periodMs - stallMs ? periodMs - intoPeriod : 0;
  };
}

/**
 * The reference gRPC implementation (@grpc/grpc-js) serving meshtax's echo service, on 127.0.0.1 in the clear:
 * meshtax's gRPC client is tested against it, not only against meshtax's own server.
 */
export async function startGrpcJsEcho(delay: () => number = () => 0, status = grpc.status.OK): Promise<H2TestServer & { calls: () => number }> {
  const method = unaryMethod(builtinRoot(), ECHO_METHOD);
  const request = method.resolvedRequestType!;
  const reply = method.resolvedResponseType!;
  let count = 0;
  const server = new grpc.Server();
  server.addService(
    {
      Echo: {
        path: `/${ECHO_METHOD}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Record<string, unknown>) => Buffer.from(request.encode(value).finish()),
        requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes)),
        responseSerialize: (value: Record<string, unknown>) => Buffer.from(reply.encode(value).finish()),
        responseDeserialize: (bytes: Buffer) => reply.toObject(reply.decode(bytes)),
      },
    },
    {
      Echo: (call: grpc.ServerUnaryCall<Record<string, unknown>, Record<string, unknown>>, callback: grpc.sendUnaryData<Record<string, unknown>>) => {
        count++;
        const size = Number(call.request.response_bytes ?? 0);
        const answer = (): void =>
          status === grpc.status.OK ? callback(null, { payload: Buffer.alloc(size, 'x') }) : callback({ code: status, details: 'refused by the test' });
        const ms = delay();
        if (ms > 0) setTimeout(answer, ms);
        else answer();
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    url: `http://127.0.0.1:${port}/`,
    streams: () => count,
    calls: () => count,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/**
 * @grpc/grpc-js as a client of 127.0.0.1:`port`: `call` sends a unary call of one of meshtax's built-in methods by
 * name and resolves with the reply as an object (defaults filled in); another `path` sends the same message to a
 * method the server lacks. Close it when done.
 */
export function grpcJsCaller(port: number): {
  call(name: string, message: Record<string, unknown>, path?: string): Promise<Record<string, unknown>>;
  close(): void;
} {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const root = builtinRoot();
  return {
    call: (name, message, path = `/${name}`) => {
      const method = unaryMethod(root, name);
      const reply = method.resolvedResponseType!;
      return new Promise<Record<string, unknown>>((resolve, reject) =>
        client.makeUnaryRequest(
          path,
          () => Buffer.from(encodeRequest(method, message)),
          (bytes: Buffer) => reply.toObject(reply.decode(bytes), { defaults: true }),
          {},
          (error, value) => (error ? reject(error) : resolve(value!)),
        ),
      );
    },
    close: () => client.close(),
  };
}
