import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HpackDecoder } from '../../src/protocols/hpack/decoder.ts';
import { encodeHeaderBlock } from '../../src/protocols/hpack/encoder.ts';
import { HUFFMAN_LENGTHS } from '../../src/protocols/hpack/huffman.ts';

/**
 * The HPACK codec against nghttp2, through node:http2: the server's response headers and trailers are encoded by
 * nghttp2 (Huffman where shorter, dynamic indexing of repeated fields, a table size update when the client asks
 * for a small table) and decoded here from a raw TCP socket; the requests are built by our encoder and must be
 * accepted and decoded by nghttp2 as sent.
 */

type Field = [string, string];

const FRAME = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, CONTINUATION: 0x9 } as const;
const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const SETTINGS_HEADER_TABLE_SIZE = 0x1;

/** The same long value on every response: nghttp2 Huffman-codes it once, then sends its dynamic index. */
const LONG_VALUE = `meshtax-${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(5)}`;
const STATUSES = ['200', '404', '503', '200', '204', '302', '200'];

interface Response {
  headers: Field[];
  trailers: Field[] | undefined;
}

/** What the server answers to request `i`: varied statuses, long and repeated values, some with gRPC trailers. */
function responseFor(i: number): Response {
  const headers: Field[] = [
    [':status', STATUSES[i % STATUSES.length]!],
    ['content-type', i % 2 === 0 ? 'application/grpc' : 'text/plain; charset=utf-8'],
    ['date', `Wed, 02 Dec 2026 14:0${i % 5}:00 GMT`],
    ['x-long', LONG_VALUE],
    // Unique per request: a literal every time, Huffman-coded (hex digits code in 5-6 bits), and sent as never
    // indexed (SENSITIVE), so that unique values do not churn the table.
    ['x-request-id', `${i.toString(16).padStart(8, '0')}${'0123456789abcdef'.repeat(3)}`],
    ['cache-control', `private, max-age=${i % 3}`],
    ['set-cookie', `session=${'s'.repeat(30)}; path=/`],
    ['set-cookie', `variant=${i % 4}`],
    ['x-latin1', 'caf\u00e9 \u00ff'],
  ];
  // A 204 ends its stream with the headers (node:http2 sends neither content nor trailers), so it has none.
  const trailers: Field[] | undefined =
    i % 3 === 0 && headers[0]![1] !== '204'
      ? [
          ['grpc-status', i % 2 === 0 ? '0' : '14'],
          ['grpc-message', i % 2 === 0 ? '' : `unavailable: upstream connect error ${'x'.repeat(40)}`],
        ]
      : undefined;
  return { headers, trailers };
}

/**
 * node:http2's header object for fields in order; repeated names become an array, which it sends in order.
 * x-request-id is marked sensitive: nghttp2 sends it as a literal never indexed (RFC 7541 §6.2.3).
 */
function headerObject(fields: Field[]): http2.OutgoingHttpHeaders {
  const object: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const previous = object[name];
    object[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return { ...object, [http2.sensitiveHeaders]: ['x-request-id'] };
}

function frame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

interface StreamResult {
  blocks: Field[][];
  /** The blocks as received, to see how nghttp2 coded them. */
  raw: Buffer[];
  body: Buffer;
  ended: boolean;
}

/**
 * A raw h2c connection: preface, SETTINGS, ACK of the server's, requests as HEADERS frames, and every HEADERS
 * (with its CONTINUATIONs) decoded in arrival order by one decoder.
 */
class RawH2Connection {
  readonly streams = new Map<number, StreamResult>();
  readonly decoder: HpackDecoder;
  private readonly socket: net.Socket;
  private buffered = Buffer.alloc(0);
  private headerBlock: { streamId: number; fragments: Buffer[]; endStream: boolean } | undefined;
  private waiters: Array<() => void> = [];
  private failure: Error | undefined;

  constructor(port: number, tableSize: number | undefined) {
    this.decoder = new HpackDecoder(tableSize ?? 4096);
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('the server closed the connection')));
    const settings = Buffer.alloc(tableSize === undefined ? 0 : 6);
    if (tableSize !== undefined) {
      settings.writeUInt16BE(SETTINGS_HEADER_TABLE_SIZE, 0);
      settings.writeUInt32BE(tableSize, 2);
    }
    this.socket.write(Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0, settings)]));
  }

  request(streamId: number, fields: Field[]): void {
    this.streams.set(streamId, { blocks: [], raw: [], body: Buffer.alloc(0), ended: false });
    this.socket.write(frame(FRAME.HEADERS, FLAG.END_STREAM | FLAG.END_HEADERS, streamId, encodeHeaderBlock(fields)));
  }

  /** Resolves once every stream asked for has ended; rejects on a connection or HPACK error. */
  async allEnded(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if ([...this.streams.values()].every((stream) => stream.ended)) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    try {
      while (this.buffered.length >= 9) {
        const length = this.buffered.readUIntBE(0, 3);
        if (this.buffered.length < 9 + length) break;
        const type = this.buffered[3]!;
        const flags = this.buffered[4]!;
        const streamId = this.buffered.readUInt32BE(5) & 0x7fffffff;
        const payload = this.buffered.subarray(9, 9 + length);
        this.buffered = this.buffered.subarray(9 + length);
        this.onFrame(type, flags, streamId, payload);
      }
    } catch (error) {
      this.fail(error as Error);
    }
    this.wake();
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.headerBlock && type !== FRAME.CONTINUATION) throw new Error(`frame type ${type} inside a header block`);
    switch (type) {
      case FRAME.SETTINGS:
        if ((flags & FLAG.ACK) === 0) this.socket.write(frame(FRAME.SETTINGS, FLAG.ACK, 0));
        return;
      case FRAME.PING:
        if ((flags & FLAG.ACK) === 0) this.socket.write(frame(FRAME.PING, FLAG.ACK, 0, payload));
        return;
      case FRAME.HEADERS: {
        let start = 0;
        let end = payload.length;
        if (flags & FLAG.PADDED) {
          end -= payload[0]!;
          start = 1;
        }
        if (flags & FLAG.PRIORITY) start += 5;
        this.headerBlock = { streamId, fragments: [payload.subarray(start, end)], endStream: (flags & FLAG.END_STREAM) !== 0 };
        if (flags & FLAG.END_HEADERS) this.endHeaderBlock();
        return;
      }
      case FRAME.CONTINUATION:
        if (!this.headerBlock || this.headerBlock.streamId !== streamId) throw new Error('CONTINUATION outside a header block');
        this.headerBlock.fragments.push(payload);
        if (flags & FLAG.END_HEADERS) this.endHeaderBlock();
        return;
      case FRAME.DATA: {
        const stream = this.stream(streamId);
        stream.body = Buffer.concat([stream.body, payload]);
        if (flags & FLAG.END_STREAM) stream.ended = true;
        return;
      }
      case FRAME.RST_STREAM:
        throw new Error(`stream ${streamId} reset with code ${payload.readUInt32BE(0)}`);
      case FRAME.GOAWAY:
        throw new Error(`GOAWAY, error code ${payload.readUInt32BE(4)}: ${payload.subarray(8).toString()}`);
      default:
        // WINDOW_UPDATE and anything else need nothing here: the bodies are far below the initial windows.
        return;
    }
  }

  private endHeaderBlock(): void {
    const { streamId, fragments, endStream } = this.headerBlock!;
    this.headerBlock = undefined;
    const block = Buffer.concat(fragments);
    const stream = this.stream(streamId);
    // Every block is decoded, in arrival order, whatever stream it is for: the dynamic table is the connection's.
    stream.blocks.push(this.decoder.decode(block));
    stream.raw.push(block);
    if (endStream) stream.ended = true;
  }

  private stream(streamId: number): StreamResult {
    const stream = this.streams.get(streamId);
    if (!stream) throw new Error(`a frame for stream ${streamId}, which was not opened`);
    return stream;
  }
}

describe('HPACK against nghttp2 (node:http2 server, raw socket client)', () => {
  let server: http2.Http2Server;
  let port = 0;
  const sessions = new Set<http2.ServerHttp2Session>();
  /** The request fields nghttp2 decoded, in order, by request path. */
  const received = new Map<string, Field[]>();
  const connections: RawH2Connection[] = [];

  beforeAll(async () => {
    server = http2.createServer();
    server.on('session', (session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    server.on('stream', (stream, headers, _flags, rawHeaders) => {
      stream.on('error', () => {});
      const path = String(headers[':path']);
      const fields: Field[] = [];
      for (let i = 0; i < rawHeaders.length; i += 2) fields.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
      received.set(path, fields);
      const { headers: responseHeaders, trailers } = responseFor(Number(path.split('/').at(-1)));
      stream.respond(headerObject(responseHeaders), { waitForTrailers: trailers !== undefined });
      if (trailers) stream.on('wantTrailers', () => stream.sendTrailers(headerObject(trailers)));
      stream.end(`body of ${path}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const connection of connections) connection.close();
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function requestFields(connection: string, i: number): Field[] {
    return [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', `127.0.0.1:${port}`],
      [':path', `/${connection}/${i}`],
      ['user-agent', 'meshtax-hpack-test/1'],
      ['accept-encoding', 'gzip, deflate'],
      ['te', 'trailers'],
      ['x-meshtax-probe', `probe-${i}-${'p'.repeat(i % 5)}`],
    ];
  }

  /** `count` requests on one connection, `batch` at a time in flight, each checked against what was sent. */
  async function exchange(name: string, tableSize: number | undefined, count: number, batch: number): Promise<RawH2Connection> {
    const connection = new RawH2Connection(port, tableSize);
    connections.push(connection);
    for (let first = 0; first < count; first += batch) {
      for (let i = first; i < Math.min(first + batch, count); i++) connection.request(2 * i + 1, requestFields(name, i));
      await connection.allEnded();
    }
    for (let i = 0; i < count; i++) {
      const stream = connection.streams.get(2 * i + 1)!;
      const { headers, trailers } = responseFor(i);
      expect(stream.blocks, `stream ${2 * i + 1}`).toEqual(trailers ? [headers, trailers] : [headers]);
      // A 204 has no content (RFC 9110 §15.3.5): node:http2 ends its stream with the headers.
      expect(stream.body.toString()).toBe(headers[0]![1] === '204' ? '' : `body of /${name}/${i}`);
      expect(received.get(`/${name}/${i}`)).toEqual(requestFields(name, i));
    }
    return connection;
  }

  it('decodes 120 responses and their trailers on one connection with the default 4096-byte table', async () => {
    const connection = await exchange('default', undefined, 120, 10);
    const first = connection.streams.get(1)!.raw[0]!.length;
    const later = connection.streams.get(2 * 119 + 1)!.raw[0]!.length;
    // The first block carries the long value Huffman-coded: fewer bytes than its plain text alone.
    const plain = responseFor(0).headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
    expect(first).toBeLessThan(plain * 0.85);
    // Later blocks index it (and the other repeated fields) in the dynamic table: the long value's Huffman bytes,
    // at least, are gone from them.
    const longValueHuffman = Math.ceil([...Buffer.from(LONG_VALUE)].reduce((bits, byte) => bits + HUFFMAN_LENGTHS[byte]!, 0) / 8);
    expect(first - later).toBeGreaterThanOrEqual(longValueHuffman);
    expect(connection.decoder.tableEntries()).toContainEqual(['x-long', LONG_VALUE]);
    expect(connection.decoder.tableEntries().filter(([name]) => name === 'x-request-id')).toEqual([]);
    expect(connection.decoder.tableSize).toBeGreaterThan(0);
    expect(connection.decoder.tableSize).toBeLessThanOrEqual(4096);
  });

  it('follows nghttp2 to a 256-byte table (size update, constant eviction) when the client announces one', async () => {
    const connection = await exchange('small', 256, 60, 6);
    // The first response block starts with a dynamic table size update (001xxxxx) that nghttp2 sent.
    expect(connection.streams.get(1)!.raw[0]![0]! & 0xe0).toBe(0x20);
    // The long field alone is larger than 256 bytes: it never enters the table, and the table stays within 256.
    expect(connection.decoder.tableEntries()).not.toContainEqual(['x-long', LONG_VALUE]);
    expect(connection.decoder.tableSize).toBeLessThanOrEqual(256);
  });

  it('keeps two connections apart: each has its own decoder and table', async () => {
    const [a, b] = await Promise.all([exchange('left', undefined, 30, 5), exchange('right', 1024, 30, 3)]);
    expect(a.decoder.tableSize).toBeLessThanOrEqual(4096);
    expect(b.decoder.tableSize).toBeLessThanOrEqual(1024);
  });
});
