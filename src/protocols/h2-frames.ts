/**
 * HTTP/2 framing (RFC 9113 §4–6) for meshtax's own h2c peers: frame constants, frames built once, and a reader that
 * splits a byte stream into frames.
 */

/** Frame types (RFC 9113 §6). */
export const DATA = 0x0;
export const HEADERS = 0x1;
export const PRIORITY = 0x2;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const PING = 0x6;
export const GOAWAY = 0x7;
export const WINDOW_UPDATE = 0x8;
export const CONTINUATION = 0x9;

/** Flags (RFC 9113 §6): END_STREAM on DATA and HEADERS, ACK on SETTINGS and PING (the same bit). */
export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY_FLAG = 0x20;

export const FRAME_HEADER_BYTES = 9;
/** SETTINGS_MAX_FRAME_SIZE's initial value (RFC 9113 §6.5.2): every peer accepts frames this large, and we ask no more. */
export const DEFAULT_MAX_FRAME = 16_384;
/** The initial flow-control window of a stream and of the connection (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW = 65_535;
/** The largest flow-control window (RFC 9113 §6.9.1). */
export const MAX_WINDOW = 2 ** 31 - 1;

/** The largest frame a peer may allow with SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2). */
export const LARGEST_MAX_FRAME = 2 ** 24 - 1;

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const SETTINGS_HEADER_TABLE_SIZE = 0x1;
export const SETTINGS_ENABLE_PUSH = 0x2;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
export const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
export const SETTINGS_MAX_FRAME_SIZE = 0x5;

/** Error codes of RST_STREAM and GOAWAY (RFC 9113 §7). */
export const NO_ERROR = 0x0;
export const PROTOCOL_ERROR = 0x1;
export const INTERNAL_ERROR = 0x2;
export const FLOW_CONTROL_ERROR = 0x3;
export const STREAM_CLOSED = 0x5;
export const FRAME_SIZE_ERROR = 0x6;
export const REFUSED_STREAM = 0x7;
export const COMPRESSION_ERROR = 0x9;

/** What a client sends first (RFC 9113 §3.4). */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** A frame with its 9-byte header. */
export function frame(type: number, flags: number, stream: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const bytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  bytes.writeUIntBE(payload.length, 0, 3);
  bytes[3] = type;
  bytes[4] = flags;
  bytes.writeUInt32BE(stream & 0x7fffffff, 5);
  bytes.set(payload, FRAME_HEADER_BYTES);
  return bytes;
}

/**
 * The client's opening, written as the connection opens: the preface; SETTINGS that refuse server push and give each
 * stream the largest window, so a response never waits for a WINDOW_UPDATE; and the connection's window raised to
 * its largest (SETTINGS cannot change it), which the reader tops up as responses use it.
 */
export function clientOpening(): Buffer {
  const settings = Buffer.alloc(12);
  settings.writeUInt16BE(SETTINGS_ENABLE_PUSH, 0);
  settings.writeUInt32BE(0, 2);
  settings.writeUInt16BE(SETTINGS_INITIAL_WINDOW_SIZE, 6);
  settings.writeUInt32BE(MAX_WINDOW, 8);
  return Buffer.concat([CLIENT_PREFACE, frame(SETTINGS, 0, 0, settings), windowUpdate(0, MAX_WINDOW - DEFAULT_WINDOW)]);
}

/**
 * A server's opening, written as a connection is accepted (RFC 9113 §3.4: its SETTINGS may go before the client's
 * preface arrives): SETTINGS with the stream limit and the largest stream window, so a request body never waits for
 * a WINDOW_UPDATE, and the connection's window raised to its largest, topped up as request bodies use it.
 */
export function serverOpening(maxConcurrentStreams: number): Buffer {
  const settings = Buffer.alloc(12);
  settings.writeUInt16BE(SETTINGS_MAX_CONCURRENT_STREAMS, 0);
  settings.writeUInt32BE(maxConcurrentStreams, 2);
  settings.writeUInt16BE(SETTINGS_INITIAL_WINDOW_SIZE, 6);
  settings.writeUInt32BE(MAX_WINDOW, 8);
  return Buffer.concat([frame(SETTINGS, 0, 0, settings), windowUpdate(0, MAX_WINDOW - DEFAULT_WINDOW)]);
}

/** GOAWAY (RFC 9113 §6.8): the last stream this side processed, and why the connection ends. */
export function goaway(lastStream: number, code: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastStream & 0x7fffffff, 0);
  payload.writeUInt32BE(code, 4);
  return frame(GOAWAY, 0, 0, payload);
}

/** RST_STREAM (RFC 9113 §6.4). */
export function rstStream(stream: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code, 0);
  return frame(RST_STREAM, 0, stream, payload);
}

/** Writes a frame header at `at` of a buffer that several frames share (one socket write for all of them). */
export function writeFrameHeader(bytes: Buffer, at: number, length: number, type: number, flags: number, stream: number): void {
  bytes[at] = length >>> 16;
  bytes[at + 1] = (length >>> 8) & 0xff;
  bytes[at + 2] = length & 0xff;
  bytes[at + 3] = type;
  bytes[at + 4] = flags;
  bytes.writeUInt32BE(stream & 0x7fffffff, at + 5);
}

export function windowUpdate(stream: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment & 0x7fffffff, 0);
  return frame(WINDOW_UPDATE, 0, stream, payload);
}

export const SETTINGS_ACK = frame(SETTINGS, ACK, 0);

/**
 * One request's frames, built once: HEADERS carrying the encoded header block, then DATA with the body if there is
 * one, the last frame ending the stream. `streamOffsets` are where each frame's stream identifier sits, stamped per
 * request (stampStream): a client's streams are numbered 1, 3, 5, … on each connection.
 */
export interface RequestTemplate {
  bytes: Buffer;
  streamOffsets: number[];
}

/**
 * The template of a request whose header block and body each fit one frame of the default size; undefined when
 * either does not (such a request needs CONTINUATION frames or flow control, which node:http2 handles).
 */
export function requestTemplate(block: Buffer, body: Buffer | null): RequestTemplate | undefined {
  if (block.length > DEFAULT_MAX_FRAME || (body !== null && body.length > DEFAULT_MAX_FRAME)) return undefined;
  const headers = frame(HEADERS, END_HEADERS | (body === null ? END_STREAM : 0), 1, block);
  if (body === null) return { bytes: headers, streamOffsets: [5] };
  return { bytes: Buffer.concat([headers, frame(DATA, END_STREAM, 1, body)]), streamOffsets: [5, headers.length + 5] };
}

/** Writes `stream` into every frame header of a request template's bytes. */
export function stampStream(bytes: Uint8Array, offsets: readonly number[], stream: number): void {
  for (const offset of offsets) {
    bytes[offset] = (stream >>> 24) & 0x7f;
    bytes[offset + 1] = (stream >>> 16) & 0xff;
    bytes[offset + 2] = (stream >>> 8) & 0xff;
    bytes[offset + 3] = stream & 0xff;
  }
}

/** One frame as read: its payload is a view of the reader's buffer, valid only during the callback. */
export type FrameHandler = (type: number, flags: number, stream: number, payload: Buffer) => void;

/**
 * Splits the bytes a peer sends into frames, however TCP cut them. A frame longer than DEFAULT_MAX_FRAME (we never
 * allow more) is a FRAME_SIZE_ERROR (RFC 9113 §4.2): `push` returns what is wrong and reads no further.
 */
export class FrameReader {
  private pending: Buffer | undefined;
  /** Who sends the frames, for the message: the server (to a client) or the client (to a server). */
  private readonly peer: string;

  constructor(peer: 'server' | 'client' = 'server') {
    this.peer = peer;
  }

  push(chunk: Buffer, onFrame: FrameHandler): string | undefined {
    const bytes = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (bytes.length - at >= FRAME_HEADER_BYTES) {
      const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
      if (length > DEFAULT_MAX_FRAME) return `the ${this.peer} sent a ${length}-byte frame, larger than the ${DEFAULT_MAX_FRAME} bytes allowed`;
      if (bytes.length - at < FRAME_HEADER_BYTES + length) break;
      const stream = bytes.readUInt32BE(at + 5) & 0x7fffffff;
      onFrame(bytes[at + 3]!, bytes[at + 4]!, stream, bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
      at += FRAME_HEADER_BYTES + length;
    }
    if (at < bytes.length) this.pending = Buffer.from(bytes.subarray(at));
    return undefined;
  }
}

/**
 * The part of a DATA or HEADERS payload that is content: without the padding (PADDED) and, for HEADERS, the
 * priority fields (PRIORITY); undefined when the padding claims more than the frame holds (a PROTOCOL_ERROR).
 */
export function content(type: number, flags: number, payload: Buffer): Buffer | undefined {
  let start = 0;
  let end = payload.length;
  if (flags & PADDED) {
    if (payload.length < 1) return undefined;
    start = 1;
    end -= payload[0]!;
  }
  if (type === HEADERS && flags & PRIORITY_FLAG) start += 5;
  return start <= end ? payload.subarray(start, end) : undefined;
}

/** The bytes of a header block sent as HEADERS and as many CONTINUATION frames as `maxFrame` needs. */
export function headerFramesBytes(blockLength: number, maxFrame: number): number {
  return blockLength + FRAME_HEADER_BYTES * Math.max(1, Math.ceil(blockLength / maxFrame));
}

/** Writes a header block at `at` as HEADERS and CONTINUATION frames of at most `maxFrame`; returns where it ended. */
export function writeHeaderFrames(bytes: Buffer, at: number, stream: number, block: Buffer, endStream: boolean, maxFrame: number): number {
  let from = 0;
  do {
    const length = Math.min(maxFrame, block.length - from);
    const last = from + length === block.length;
    const type = from === 0 ? HEADERS : CONTINUATION;
    const flags = (last ? END_HEADERS : 0) | (type === HEADERS && endStream ? END_STREAM : 0);
    writeFrameHeader(bytes, at, length, type, flags, stream);
    block.copy(bytes, at + FRAME_HEADER_BYTES, from, from + length);
    at += FRAME_HEADER_BYTES + length;
    from += length;
  } while (from < block.length);
  return at;
}

/** Writes `body`'s first `end` bytes at `at` as DATA frames of at most `maxFrame`; returns where they ended. */
export function writeDataFrames(bytes: Buffer, at: number, stream: number, body: Buffer, end: number, endStream: boolean, maxFrame: number): number {
  for (let from = 0; from < end; ) {
    const length = Math.min(maxFrame, end - from);
    writeFrameHeader(bytes, at, length, DATA, endStream && from + length === end ? END_STREAM : 0, stream);
    body.copy(bytes, at + FRAME_HEADER_BYTES, from, from + length);
    at += FRAME_HEADER_BYTES + length;
    from += length;
  }
  return at;
}
