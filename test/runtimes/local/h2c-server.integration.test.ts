import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLIENT_PREFACE,
  CONTINUATION,
  DATA,
  END_HEADERS,
  END_STREAM,
  FrameReader,
  frame,
  GOAWAY,
  HEADERS,
  PADDED,
  PRIORITY_FLAG,
  SETTINGS,
} from '../../../src/protocols/h2-frames.ts';
import { encodeHeaderBlock } from '../../../src/protocols/hpack/encoder.ts';
import { ECHO_METHOD, HEALTH_METHOD } from '../../../src/protocols/grpc.ts';
import { echoH2Server, fixedAnswers, type H2Answers } from '../../../src/runtimes/local/echo-h2.ts';
import type { EchoDraw } from '../../../src/runtimes/local/echo-model.ts';
import { grpcJsCaller } from '../../helpers/h2-servers.ts';

/*
 * meshtax's own h2c server (h2c-server.ts, behind echoH2Server) against real clients: node:http2's (nghttp2) for
 * HTTP/2 and flow control, @grpc/grpc-js for gRPC, and a raw socket for what no well-behaved client sends.
 */

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(protocol: 'http2' | 'grpc', answers: H2Answers): Promise<number> {
  const server = echoH2Server(protocol, answers);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A body whose every byte says where it is, so a response put together wrongly shows. */
function patterned(bytes: number): Buffer {
  const body = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) body[i] = i % 251;
  return body;
}

/** Answers drawn in turn from `draws`, round and round; counts the bodies given. */
function answersOf(draws: EchoDraw[]): H2Answers & { bodies: () => number } {
  let next = 0;
  let bodies = 0;
  return {
    draw: () => draws[next++ % draws.length]!,
    body: (bytes) => {
      bodies++;
      return patterned(bytes);
    },
    busy: () => {},
    bodies: () => bodies,
  };
}

function session(port: number, settings?: http2.Settings): http2.ClientHttp2Session {
  const client = http2.connect(`http://127.0.0.1:${port}`, settings ? { settings } : {});
  client.on('error', () => {});
  cleanups.push(() => void client.destroy());
  return client;
}

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

function request(client: http2.ClientHttp2Session, path: string, body?: Buffer): Promise<Answer> & { stream: http2.ClientHttp2Stream } {
  const stream = client.request({ ':method': body ? 'POST' : 'GET', ':path': path }, { endStream: !body });
  const answer = new Promise<Answer>((resolve, reject) => {
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
  });
  if (body) stream.end(body);
  return Object.assign(answer, { stream });
}

const draw = (bodyBytes: number, status: 200 | 500 = 200, delayMs = 0): EchoDraw => ({ status, bodyBytes, delayMs, cpuMs: 0 });

describe('h2c server with node:http2 (nghttp2) as the client', () => {
  it('answers 150 concurrent streams on one session: GETs and POSTs up to 200 KiB, responses up to 1 MiB through the default windows', async () => {
    // Sizes around the frame size and windows (16 384, 65 535) and far past them; every fifth a 500.
    const sizes = [0, 1, 16_384, 16_385, 70_000, 2 ** 20, 5000];
    const draws = Array.from({ length: 35 }, (_, i) => draw(sizes[i % sizes.length]!, i % 5 === 4 ? 500 : 200));
    const port = await serve('http2', answersOf(draws));
    // The client keeps nghttp2's default 65 535-byte windows: responses over them wait for its WINDOW_UPDATEs.
    const client = session(port);
    const uploads = Array.from({ length: 150 }, (_, i) => (i % 6 === 0 ? undefined : patterned(i % 6 === 5 ? 3000 : 200 * 1024)));
    const answers = await Promise.all(uploads.map((body, i) => request(client, `/r${i}`, body)));
    // Which request got which draw depends on when its END_STREAM arrived; the answers as a whole are the draws'.
    const got = answers.map((a) => `${a.status}:${a.body.length}`).sort();
    const expected = Array.from({ length: 150 }, (_, i) => `${draws[i % draws.length]!.status}:${draws[i % draws.length]!.bodyBytes}`).sort();
    expect(got).toEqual(expected);
    for (const answer of answers) {
      expect(answer.body.equals(patterned(answer.body.length))).toBe(true);
      expect(answer.headers['content-length']).toBe(String(answer.body.length));
      expect(answer.headers['content-type']).toBe('application/octet-stream');
    }
    // Over 16 MiB of request bodies went up: the connection window was topped up on the way (else they would stall
    // at 2 GiB, not here, but the top-up frames must not upset the client either).
    expect(uploads.reduce((sum, body) => sum + (body?.length ?? 0), 0)).toBeGreaterThan(2 ** 24);
  });

  it("holds a response while the client's stream window is 0 and sends it when a SETTINGS change opens it", async () => {
    const port = await serve('http2', answersOf([draw(100_000)]));
    const client = session(port, { initialWindowSize: 0 });
    const answer = request(client, '/held');
    const received: number[] = [];
    answer.stream.on('data', (chunk: Buffer) => received.push(chunk.length));
    await new Promise((resolve) => answer.stream.once('response', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([]);
    // RFC 9113 §6.9.2: the open stream's window moves by the difference, 0 → 65 535; WINDOW_UPDATEs do the rest.
    client.settings({ initialWindowSize: 65_535 });
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(body.equals(patterned(100_000))).toBe(true);
  });

  it('honours a larger MAX_FRAME_SIZE and window from the client', async () => {
    const port = await serve('http2', answersOf([draw(2 ** 20)]));
    const client = session(port, { maxFrameSize: 2 ** 20, initialWindowSize: 2 ** 24 });
    const { body } = await request(client, '/big');
    expect(body.equals(patterned(2 ** 20))).toBe(true);
  });

  it('begins its blocks with a table size update when the client makes its HPACK table smaller (nghttp2 requires it)', async () => {
    const port = await serve('http2', answersOf([draw(3)]));
    const client = session(port, { headerTableSize: 0 });
    for (let i = 0; i < 3; i++) expect((await request(client, `/t${i}`)).status).toBe(200);
  });

  it('drops the delayed answer of a stream the client resets, and answers the next ones', async () => {
    const answers = answersOf([draw(10, 200, 300), draw(20)]);
    const port = await serve('http2', answers);
    const client = session(port);
    const cancelled = request(client, '/slow');
    cancelled.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    cancelled.stream.close(http2.constants.NGHTTP2_CANCEL);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Its timer was cleared: no body was made for it.
    expect(answers.bodies()).toBe(0);
    const next = await request(client, '/next');
    expect([next.status, next.body.length]).toEqual([200, 20]);
    expect(answers.bodies()).toBe(1);
  });

  it('acknowledges PING', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('hi'), 0));
    const client = session(port);
    await new Promise((resolve) => client.once('connect', resolve));
    const payload = Buffer.from('meshtax!');
    const echoed = await new Promise<Buffer>((resolve, reject) => client.ping(payload, (error, _ms, back) => (error ? reject(error) : resolve(back))));
    expect(echoed.equals(payload)).toBe(true);
  });

  it('lets a client that sends GOAWAY finish its open streams', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('late'), 100));
    const client = session(port);
    const answer = request(client, '/a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.close();
    const { body } = await answer;
    expect(body.toString()).toBe('late');
    await new Promise((resolve) => client.once('close', resolve));
  });
});

describe('h2c server with @grpc/grpc-js as the client', () => {
  it('serves Echo and Health, UNIMPLEMENTED for another method, INTERNAL for a drawn error', async () => {
    const answers = answersOf([draw(10), draw(10, 500), draw(7)]);
    const port = await serve('grpc', answers);
    const { call, close } = grpcJsCaller(port);
    cleanups.push(close);
    // The draws in turn: 10 bytes, an error, then response_bytes wins over the drawn 7.
    expect(((await call(ECHO_METHOD, {})).payload as Buffer).length).toBe(10);
    await expect(call(ECHO_METHOD, {})).rejects.toMatchObject({ code: grpc.status.INTERNAL });
    expect(((await call(ECHO_METHOD, { response_bytes: 70_000 })).payload as Buffer).length).toBe(70_000);
    expect((await call(HEALTH_METHOD, {})).status).toBe(1);
    await expect(call(ECHO_METHOD, {}, '/meshtax.echo.v1.Echo/Nope')).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    // 200 KiB up in one message, over the frame size and the default window.
    expect(((await call(ECHO_METHOD, { payload: Buffer.alloc(200 * 1024, 1), response_bytes: 3 })).payload as Buffer).length).toBe(3);
  });
});

describe('h2c server with a raw socket as the client', () => {
  /** Connects, writes `bytes`, and gathers what comes back until the server closes. */
  async function exchange(port: number, bytes: Buffer): Promise<Buffer> {
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    socket.write(bytes);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return Buffer.concat(chunks);
  }

  it('closes a connection whose preface is not HTTP/2', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('x'), 0));
    const reply = await exchange(port, Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
    // Whatever came was our SETTINGS, written on accept; no HTTP/1.1 answer.
    expect(reply.toString('latin1')).not.toContain('HTTP/1.1');
  });

  /** The frames of `bytes` as read by meshtax's reader. */
  function framesOf(bytes: Buffer): Array<{ type: number; flags: number; stream: number; payload: Buffer }> {
    const frames: Array<{ type: number; flags: number; stream: number; payload: Buffer }> = [];
    new FrameReader().push(bytes, (type, flags, stream, payload) => frames.push({ type, flags, stream, payload: Buffer.from(payload) }));
    return frames;
  }

  it('reads a request whose HEADERS is padded, has priority fields and goes on in a CONTINUATION', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('answered'), 0));
    const block = encodeHeaderBlock([[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/padded']]);
    const cut = 5;
    // Pad length 3, then the priority fields (dependency 0, weight 16), the first part of the block, the padding.
    const headers = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 16]), block.subarray(0, cut), Buffer.alloc(3)]);
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    socket.write(
      Buffer.concat([
        CLIENT_PREFACE,
        frame(SETTINGS, 0, 0),
        frame(HEADERS, PADDED | PRIORITY_FLAG | END_STREAM, 1, headers),
        frame(CONTINUATION, END_HEADERS, 1, block.subarray(cut)),
      ]),
    );
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (framesOf(Buffer.concat(chunks)).some((f) => f.type === DATA && f.flags & END_STREAM)) resolve();
      }),
    );
    const data = framesOf(Buffer.concat(chunks)).filter((f) => f.stream === 1 && f.type === DATA);
    expect(Buffer.concat(data.map((f) => f.payload)).toString()).toBe('answered');
  });

  it('answers a frame larger than 16 384 bytes with GOAWAY FRAME_SIZE_ERROR', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('x'), 0));
    const reply = await exchange(port, Buffer.concat([CLIENT_PREFACE, frame(SETTINGS, 0, 0), frame(0xff, 0, 0, Buffer.alloc(16_385))]));
    expect(framesOf(reply).find((f) => f.type === GOAWAY)?.payload.readUInt32BE(4)).toBe(6);
  });

  it('answers a header block that is not valid HPACK with GOAWAY COMPRESSION_ERROR and closes', async () => {
    const port = await serve('http2', fixedAnswers(Buffer.from('x'), 0));
    // Index 0 is never valid (RFC 7541 §6.1).
    const bad = frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0x80]));
    const reply = await exchange(port, Buffer.concat([CLIENT_PREFACE, frame(SETTINGS, 0, 0), bad]));
    const frames: Array<{ type: number; payload: Buffer }> = [];
    expect(new FrameReader().push(reply, (type, _flags, _stream, payload) => frames.push({ type, payload: Buffer.from(payload) }))).toBeUndefined();
    const away = frames.find((f) => f.type === GOAWAY);
    expect(away?.payload.readUInt32BE(4)).toBe(9);
  });
});
