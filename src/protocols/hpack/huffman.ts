import { HpackError } from './error.ts';

/**
 * HPACK's Huffman code, RFC 7541 Appendix B. The facts are those of golang.org/x/net@v0.57.0
 * http2/hpack/tables.go: `huffmanCodes` (lines 127-384, the code of each byte value, right-aligned) and
 * `huffmanCodeLen` (lines 386-403, its length in bits), written here once as two arrays by a throwaway script.
 * EOS (symbol 256) is not in those tables; RFC 7541 Appendix B gives it as 30 one bits. The code is canonical and
 * complete (its Kraft sum is exactly 1), which test/protocols/hpack.test.ts checks.
 */
export const HUFFMAN_CODES: Readonly<Uint32Array> = Uint32Array.of(
  0x1ff8, 0x7fffd8, 0xfffffe2, 0xfffffe3, 0xfffffe4, 0xfffffe5, 0xfffffe6, 0xfffffe7,
  0xfffffe8, 0xffffea, 0x3ffffffc, 0xfffffe9, 0xfffffea, 0x3ffffffd, 0xfffffeb, 0xfffffec,
  0xfffffed, 0xfffffee, 0xfffffef, 0xffffff0, 0xffffff1, 0xffffff2, 0x3ffffffe, 0xffffff3,
  0xffffff4, 0xffffff5, 0xffffff6, 0xffffff7, 0xffffff8, 0xffffff9, 0xffffffa, 0xffffffb,
  0x14, 0x3f8, 0x3f9, 0xffa, 0x1ff9, 0x15, 0xf8, 0x7fa,
  0x3fa, 0x3fb, 0xf9, 0x7fb, 0xfa, 0x16, 0x17, 0x18,
  0x0, 0x1, 0x2, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
  0x1e, 0x1f, 0x5c, 0xfb, 0x7ffc, 0x20, 0xffb, 0x3fc,
  0x1ffa, 0x21, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62,
  0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
  0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72,
  0xfc, 0x73, 0xfd, 0x1ffb, 0x7fff0, 0x1ffc, 0x3ffc, 0x22,
  0x7ffd, 0x3, 0x23, 0x4, 0x24, 0x5, 0x25, 0x26,
  0x27, 0x6, 0x74, 0x75, 0x28, 0x29, 0x2a, 0x7,
  0x2b, 0x76, 0x2c, 0x8, 0x9, 0x2d, 0x77, 0x78,
  0x79, 0x7a, 0x7b, 0x7ffe, 0x7fc, 0x3ffd, 0x1ffd, 0xffffffc,
  0xfffe6, 0x3fffd2, 0xfffe7, 0xfffe8, 0x3fffd3, 0x3fffd4, 0x3fffd5, 0x7fffd9,
  0x3fffd6, 0x7fffda, 0x7fffdb, 0x7fffdc, 0x7fffdd, 0x7fffde, 0xffffeb, 0x7fffdf,
  0xffffec, 0xffffed, 0x3fffd7, 0x7fffe0, 0xffffee, 0x7fffe1, 0x7fffe2, 0x7fffe3,
  0x7fffe4, 0x1fffdc, 0x3fffd8, 0x7fffe5, 0x3fffd9, 0x7fffe6, 0x7fffe7, 0xffffef,
  0x3fffda, 0x1fffdd, 0xfffe9, 0x3fffdb, 0x3fffdc, 0x7fffe8, 0x7fffe9, 0x1fffde,
  0x7fffea, 0x3fffdd, 0x3fffde, 0xfffff0, 0x1fffdf, 0x3fffdf, 0x7fffeb, 0x7fffec,
  0x1fffe0, 0x1fffe1, 0x3fffe0, 0x1fffe2, 0x7fffed, 0x3fffe1, 0x7fffee, 0x7fffef,
  0xfffea, 0x3fffe2, 0x3fffe3, 0x3fffe4, 0x7ffff0, 0x3fffe5, 0x3fffe6, 0x7ffff1,
  0x3ffffe0, 0x3ffffe1, 0xfffeb, 0x7fff1, 0x3fffe7, 0x7ffff2, 0x3fffe8, 0x1ffffec,
  0x3ffffe2, 0x3ffffe3, 0x3ffffe4, 0x7ffffde, 0x7ffffdf, 0x3ffffe5, 0xfffff1, 0x1ffffed,
  0x7fff2, 0x1fffe3, 0x3ffffe6, 0x7ffffe0, 0x7ffffe1, 0x3ffffe7, 0x7ffffe2, 0xfffff2,
  0x1fffe4, 0x1fffe5, 0x3ffffe8, 0x3ffffe9, 0xffffffd, 0x7ffffe3, 0x7ffffe4, 0x7ffffe5,
  0xfffec, 0xfffff3, 0xfffed, 0x1fffe6, 0x3fffe9, 0x1fffe7, 0x1fffe8, 0x7ffff3,
  0x3fffea, 0x3fffeb, 0x1ffffee, 0x1ffffef, 0xfffff4, 0xfffff5, 0x3ffffea, 0x7ffff4,
  0x3ffffeb, 0x7ffffe6, 0x3ffffec, 0x3ffffed, 0x7ffffe7, 0x7ffffe8, 0x7ffffe9, 0x7ffffea,
  0x7ffffeb, 0xffffffe, 0x7ffffec, 0x7ffffed, 0x7ffffee, 0x7ffffef, 0x7fffff0, 0x3ffffee,
);

export const HUFFMAN_LENGTHS: Readonly<Uint8Array> = Uint8Array.of(
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
);

export const EOS_CODE = 0x3fffffff;
export const EOS_LENGTH = 30;
const EOS = 256;

/*
 * Decoding walks the code's binary tree four bits at a time (the approach of nghttp2's nghttp2_hd_huffman_data.c,
 * built here at load from the arrays above rather than written out). A state is an internal node of the tree, the
 * bits read since the last symbol; there are 256 of them, the root being 0. For each state and nibble, one Uint32
 * says the state after the four bits, the symbol they completed if any (codes are at least 5 bits long, so four
 * bits complete at most one), and whether they walked into EOS. Two lookups per input byte, no branch per bit.
 */
const NODES = 256;
const EMPTY = 0x7fff;
const EMIT = 1 << 16;
const FAIL = 1 << 17;

/** Where a string may end: RFC 7541 §5.2 allows at most 7 bits of padding, all ones (a prefix of EOS). */
const END_OK = 0;
const END_PADDING_TOO_LONG = 1;
const END_PADDING_NOT_ONES = 2;

function buildTree(): Int16Array {
  // children[node * 2 + bit]: an internal node's index (>= 0), -(symbol + 1) for a leaf, EMPTY if unassigned.
  const children = new Int16Array(NODES * 2).fill(EMPTY);
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    const code = symbol === EOS ? EOS_CODE : HUFFMAN_CODES[symbol]!;
    const length = symbol === EOS ? EOS_LENGTH : HUFFMAN_LENGTHS[symbol]!;
    let node = 0;
    for (let bit = length - 1; bit >= 0; bit--) {
      const slot = node * 2 + ((code >>> bit) & 1);
      const child = children[slot]!;
      if (bit === 0) {
        if (child !== EMPTY) throw new Error(`Huffman table: the code of symbol ${symbol} collides`);
        children[slot] = -(symbol + 1);
      } else if (child === EMPTY) {
        if (nodes === NODES) throw new Error('Huffman table: more internal nodes than a complete code has');
        children[slot] = nodes;
        node = nodes++;
      } else if (child < 0) {
        throw new Error(`Huffman table: the code of symbol ${symbol} extends another's`);
      } else {
        node = child;
      }
    }
  }
  if (nodes !== NODES || children.includes(EMPTY)) throw new Error('Huffman table: the code is not complete');
  return children;
}

function buildTables(): { transitions: Uint32Array; ends: Uint8Array } {
  const children = buildTree();
  const transitions = new Uint32Array(NODES * 16);
  for (let state = 0; state < NODES; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const child = children[node * 2 + ((nibble >> bit) & 1)]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const symbol = -child - 1;
        if (symbol === EOS) {
          entry |= FAIL;
          break;
        }
        entry |= EMIT | (symbol << 8);
        node = 0;
      }
      transitions[state * 16 + nibble] = entry | node;
    }
  }
  // The nodes reached from the root by 1 to 7 one bits end a string well; deeper ones padding of 8 bits or more;
  // every other node but the root is a symbol cut short.
  const ends = new Uint8Array(NODES).fill(END_PADDING_NOT_ONES);
  ends[0] = END_OK;
  let node = 0;
  for (let ones = 1; ones < EOS_LENGTH; ones++) {
    node = children[node * 2 + 1]!;
    ends[node] = ones <= 7 ? END_OK : END_PADDING_TOO_LONG;
  }
  return { transitions, ends };
}

const { transitions: TRANSITIONS, ends: ENDS } = buildTables();

/** Decoded bytes, reused from call to call; a symbol is at least 5 bits, so n input bytes give at most 8n/5. */
let scratch = Buffer.allocUnsafe(256);

/** The Huffman-coded string literal in `source[start, end)`, as latin1 (one char per byte). Throws HpackError. */
export function decodeHuffman(source: Uint8Array, start: number, end: number): string {
  const most = Math.ceil(((end - start) * 8) / 5);
  if (most > scratch.length) scratch = Buffer.allocUnsafe(Math.max(most, scratch.length * 2));
  const out = scratch;
  let length = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = source[i]!;
    let entry = TRANSITIONS[(state << 4) | (byte >> 4)]!;
    if (entry & (EMIT | FAIL)) {
      if (entry & FAIL) throw new HpackError('HPACK: a Huffman-coded string contains EOS (RFC 7541 §5.2)');
      out[length++] = (entry >> 8) & 0xff;
    }
    state = entry & 0xff;
    entry = TRANSITIONS[(state << 4) | (byte & 0x0f)]!;
    if (entry & (EMIT | FAIL)) {
      if (entry & FAIL) throw new HpackError('HPACK: a Huffman-coded string contains EOS (RFC 7541 §5.2)');
      out[length++] = (entry >> 8) & 0xff;
    }
    state = entry & 0xff;
  }
  const ending = ENDS[state]!;
  if (ending !== END_OK) {
    throw new HpackError(
      ending === END_PADDING_TOO_LONG
        ? 'HPACK: a Huffman-coded string ends with more than 7 bits of padding (RFC 7541 §5.2)'
        : 'HPACK: a Huffman-coded string ends in padding that is not all ones, or inside a symbol (RFC 7541 §5.2)',
    );
  }
  return out.toString('latin1', 0, length);
}
