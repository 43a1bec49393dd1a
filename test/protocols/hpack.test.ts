import { describe, expect, it } from 'vitest';
import { HpackDecoder, HpackError } from '../../src/protocols/hpack/decoder.ts';
import { encodeHeaderBlock, withContentLength } from '../../src/protocols/hpack/encoder.ts';
import { EOS_CODE, EOS_LENGTH, HUFFMAN_CODES, HUFFMAN_LENGTHS, decodeHuffman } from '../../src/protocols/hpack/huffman.ts';
import { STATIC_TABLE } from '../../src/protocols/hpack/static-table.ts';

type Field = [string, string];

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Huffman-codes `bytes` with the table under test, padding with ones (RFC 7541 §5.2). */
function huffmanEncode(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    const code = HUFFMAN_CODES[byte]!;
    for (let bit = HUFFMAN_LENGTHS[byte]! - 1; bit >= 0; bit--) {
      acc = (acc << 1) | ((code >>> bit) & 1);
      if (++bits === 8) {
        out.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) | (0xff >> bits));
  return Buffer.from(out);
}

/** A literal field without indexing, name `:path` (static 4), whose value is the Huffman string `coded`. */
function huffmanField(coded: Uint8Array): Buffer {
  expect(coded.length).toBeLessThan(127);
  return Buffer.concat([Buffer.of(0x04, 0x80 | coded.length), coded]);
}

function expectHpackError(block: Uint8Array, message: RegExp, decoder = new HpackDecoder()): void {
  let thrown: unknown;
  try {
    decoder.decode(block);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HpackError);
  expect((thrown as HpackError).message).toMatch(message);
}

interface Step {
  block: string;
  fields: Field[];
  /** The dynamic table after the block, newest first, and its size. */
  table: Field[];
  size: number;
}

function decodeSeries(maxTableSize: number, steps: Step[]): void {
  const decoder = new HpackDecoder(maxTableSize);
  for (const step of steps) {
    expect(decoder.decode(hex(step.block))).toEqual(step.fields);
    expect(decoder.tableEntries()).toEqual(step.table);
    expect(decoder.tableSize).toBe(step.size);
  }
}

describe('the Huffman code table', () => {
  it('is complete and prefix-free with EOS: its Kraft sum is exactly 1', () => {
    let sum = 2 ** (30 - EOS_LENGTH);
    for (let byte = 0; byte < 256; byte++) {
      const length = HUFFMAN_LENGTHS[byte]!;
      expect(length).toBeGreaterThanOrEqual(5);
      expect(length).toBeLessThanOrEqual(30);
      expect(HUFFMAN_CODES[byte]!).toBeLessThan(2 ** length);
      sum += 2 ** (30 - length);
    }
    expect(sum).toBe(2 ** 30);
  });

  it('is canonical: ordered by length then byte value, each code is the previous plus one, shifted', () => {
    const symbols = [...Array(257).keys()];
    const length = (s: number): number => (s === 256 ? EOS_LENGTH : HUFFMAN_LENGTHS[s]!);
    const codeOf = (s: number): number => (s === 256 ? EOS_CODE : HUFFMAN_CODES[s]!);
    symbols.sort((a, b) => length(a) - length(b) || a - b);
    let code = 0;
    symbols.forEach((symbol, i) => {
      if (i > 0) code = (code + 1) * 2 ** (length(symbol) - length(symbols[i - 1]!));
      expect(codeOf(symbol), `symbol ${symbol}`).toBe(code);
    });
  });

  it('has the codes RFC 7541 Appendix B gives for a few symbols', () => {
    // '0' |00000, 'a' |00011, ' ' |010100, byte 0 |11111111|11000, byte 255 |11111111|11111111|11111011|10.
    expect([HUFFMAN_CODES[0x30], HUFFMAN_LENGTHS[0x30]]).toEqual([0x0, 5]);
    expect([HUFFMAN_CODES[0x61], HUFFMAN_LENGTHS[0x61]]).toEqual([0x3, 5]);
    expect([HUFFMAN_CODES[0x20], HUFFMAN_LENGTHS[0x20]]).toEqual([0x14, 6]);
    expect([HUFFMAN_CODES[0], HUFFMAN_LENGTHS[0]]).toEqual([0x1ff8, 13]);
    expect([HUFFMAN_CODES[255], HUFFMAN_LENGTHS[255]]).toEqual([0x3ffffee, 26]);
  });
});

describe('Huffman decoding', () => {
  it('decodes every byte value 0-255, alone and all in one string, as latin1', () => {
    for (let byte = 0; byte < 256; byte++) {
      const coded = huffmanEncode(Uint8Array.of(byte));
      expect(decodeHuffman(coded, 0, coded.length)).toBe(String.fromCharCode(byte));
      expect(new HpackDecoder().decode(huffmanField(coded))).toEqual([[':path', String.fromCharCode(byte)]]);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const coded = huffmanEncode(all);
    expect(decodeHuffman(coded, 0, coded.length)).toBe(Buffer.from(all).toString('latin1'));
    // The same string inside a larger buffer: only [start, end) is read.
    const framed = Buffer.concat([Buffer.of(0x00, 0x00), coded, Buffer.of(0x00)]);
    expect(decodeHuffman(framed, 2, 2 + coded.length)).toBe(Buffer.from(all).toString('latin1'));
  });

  it('decodes strings of every padding length 0-7 and the empty string', () => {
    for (const text of ['', 'a', 'ab', 'www.example.com', 'no-cache', 'custom-value', '0123456789', 'Mon, 21 Oct 2013 20:13:21 GMT']) {
      const coded = huffmanEncode(Buffer.from(text, 'latin1'));
      expect(decodeHuffman(coded, 0, coded.length)).toBe(text);
    }
  });

  it('refuses EOS inside a string, padding beyond 7 bits, and padding that is not all ones', () => {
    // From golang.org/x/net@v0.57.0 http2/hpack/hpack_test.go lines 391-430.
    const cases: Array<[number[], RegExp]> = [
      [[0xff, 0xff, 0xff, 0xff, 0xfc], /contains EOS/],
      [[0xff], /more than 7 bits of padding/],
      [[0x1f, 0xff], /more than 7 bits of padding/],
      [[0x1f, 0xff, 0xff, 0xff], /more than 7 bits of padding/],
      [[0xff, 0x9f, 0xff, 0xff, 0xff], /more than 7 bits of padding/],
      // 32 one bits after a symbol hold a whole EOS (30 ones).
      [[0x52, 0xbc, 0x30, 0xff, 0xff, 0xff, 0xff], /contains EOS/],
      [[0x00], /not all ones/],
      // 'a' (00011) then 110: padding with a zero bit.
      [[0x1e], /not all ones/],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeHuffman(Uint8Array.from(bytes), 0, bytes.length), bytes.join(',')).toThrow(HpackError);
      expect(() => decodeHuffman(Uint8Array.from(bytes), 0, bytes.length)).toThrow(message);
      expectHpackError(huffmanField(Uint8Array.from(bytes)), message);
    }
  });
});

describe('decoding RFC 7541 Appendix C', () => {
  // Hex and expected fields and tables from golang.org/x/net@v0.57.0 http2/hpack/hpack_test.go lines 72-369 (TestDecoderDecode, TestDecodeC3_NoHuffman to TestDecodeC6_ResponsesHuffman).
  it('C.2: one field each (with indexing, without, never indexed, indexed)', () => {
    decodeSeries(4096, [
      {
        block: '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
        fields: [['custom-key', 'custom-header']],
        table: [['custom-key', 'custom-header']],
        size: 55,
      },
    ]);
    decodeSeries(4096, [{ block: '040c 2f73 616d 706c 652f 7061 7468', fields: [[':path', '/sample/path']], table: [], size: 0 }]);
    decodeSeries(4096, [{ block: '1008 7061 7373 776f 7264 0673 6563 7265 74', fields: [['password', 'secret']], table: [], size: 0 }]);
    decodeSeries(4096, [{ block: '82', fields: [[':method', 'GET']], table: [], size: 0 }]);
  });

  const requests: Array<Omit<Step, 'block'>> = [
    {
      fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
      table: [[':authority', 'www.example.com']],
      size: 57,
    },
    {
      fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
      table: [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
      size: 110,
    },
    {
      fields: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
      table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
      size: 164,
    },
  ];

  it('C.3: requests without Huffman, on one connection', () => {
    const blocks = [
      '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '8286 84be 5808 6e6f 2d63 6163 6865',
      '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
    ];
    decodeSeries(4096, requests.map((step, i) => ({ ...step, block: blocks[i]! })));
  });

  it('C.4: requests with Huffman, on one connection', () => {
    const blocks = [
      '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
      '8286 84be 5886 a8eb 1064 9cbf',
      '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
    ];
    decodeSeries(4096, requests.map((step, i) => ({ ...step, block: blocks[i]! })));
  });

  const date21 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  const date22 = 'Mon, 21 Oct 2013 20:13:22 GMT';
  const location = 'https://www.example.com';
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  const responses: Array<Omit<Step, 'block'>> = [
    {
      fields: [[':status', '302'], ['cache-control', 'private'], ['date', date21], ['location', location]],
      table: [['location', location], ['date', date21], ['cache-control', 'private'], [':status', '302']],
      size: 222,
    },
    {
      // ':status 307' evicts ':status 302', the oldest.
      fields: [[':status', '307'], ['cache-control', 'private'], ['date', date21], ['location', location]],
      table: [[':status', '307'], ['location', location], ['date', date21], ['cache-control', 'private']],
      size: 222,
    },
    {
      fields: [[':status', '200'], ['cache-control', 'private'], ['date', date22], ['location', location], ['content-encoding', 'gzip'], ['set-cookie', cookie]],
      table: [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date22]],
      size: 215,
    },
  ];

  it('C.5: responses without Huffman, table size 256, with evictions', () => {
    const blocks = [
      `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
       2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
      '4803 3330 37c1 c0bf',
      `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
       54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
       5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31`,
    ];
    decodeSeries(256, responses.map((step, i) => ({ ...step, block: blocks[i]! })));
  });

  it('C.6: responses with Huffman, table size 256, with evictions', () => {
    const blocks = [
      `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
       2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
      '4883 640e ffc1 c0bf',
      `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
       77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
       9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
    ];
    decodeSeries(256, responses.map((step, i) => ({ ...step, block: blocks[i]! })));
  });
});

describe('the dynamic table', () => {
  it('keeps many entries in order past the ring growing, and addresses each by index', () => {
    const decoder = new HpackDecoder();
    // 100 fields of 2+2+32 = 36 bytes: 3600 bytes, all kept by a 4096-byte table.
    const block = Buffer.concat(
      Array.from({ length: 100 }, (_, i) => {
        const text = String(i).padStart(2, '0');
        return Buffer.concat([Buffer.of(0x40, 2), Buffer.from(text), Buffer.of(2), Buffer.from(text)]);
      }),
    );
    decoder.decode(block);
    expect(decoder.tableSize).toBe(3600);
    expect(decoder.decode(Buffer.of(0x80 | 62))).toEqual([['99', '99']]);
    // Index 161 = 62 + 99, the oldest; it needs a two-byte integer.
    expect(decoder.decode(Buffer.of(0xff, 161 - 127))).toEqual([['00', '00']]);
    expectHpackError(Buffer.of(0xff, 162 - 127), /index 162 is beyond the table's 161 entries/, decoder);
    // Another 20 entries evict the oldest 7 (4096 / 36: 113 fit).
    decoder.decode(block.subarray(0, 20 * 7));
    expect(decoder.tableEntries().length).toBe(113);
    expect(decoder.tableEntries().at(-1)).toEqual(['07', '07']);
    expect(decoder.tableSize).toBe(113 * 36);
  });

  it('takes size updates at the start of a block, evicting to the new size, and refuses them elsewhere or above the limit', () => {
    const decoder = new HpackDecoder(256);
    decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
    expect(decoder.tableSize).toBe(55);
    // Two updates (to 0, then to 256) and a field: the table was emptied by the first.
    expect(decoder.decode(Buffer.of(0x20, 0x3f, 0xe1, 0x01, 0x82))).toEqual([[':method', 'GET']]);
    expect(decoder.tableEntries()).toEqual([]);
    // An update to 54 keeps nothing of 55 bytes; an entry larger than the table empties it and is not added.
    decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
    decoder.decode(Buffer.of(0x3f, 54 - 31));
    expect(decoder.tableSize).toBe(0);
    decoder.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
    expect(decoder.tableEntries()).toEqual([]);
    expectHpackError(Buffer.of(0x3f, 0xe2, 0x01), /size update to 257 exceeds the limit of 256/, decoder);
    expectHpackError(Buffer.of(0x82, 0x20), /size update follows a field/, decoder);
  });

  it('reads a block given as a Uint8Array view at an offset, not only a Buffer', () => {
    const bytes = new Uint8Array([0xaa, 0x04, 0x03, 0x2f, 0x61, 0x62, 0xaa]);
    expect(new HpackDecoder().decode(bytes.subarray(1, 6))).toEqual([[':path', '/ab']]);
  });

  it('decodes bytes above 0x7f as latin1, not UTF-8', () => {
    const value = Buffer.of(0xc3, 0xa9, 0xff);
    const block = Buffer.concat([Buffer.of(0x04, value.length), value]);
    expect(new HpackDecoder().decode(block)).toEqual([[':path', '\u00c3\u00a9\u00ff']]);
  });
});

describe('malformed blocks', () => {
  const cases: Array<[string, number[], RegExp]> = [
    ['truncated integer', [0xff], /ends inside an integer/],
    ['truncated integer, continuation bit set at the end', [0xff, 0x80], /ends inside an integer/],
    ['integer beyond 2^31 - 1', [0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], /exceeds 2\^31 - 1/],
    ['integer with endless zero continuations', [0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], /more continuation bytes/],
    ['string length beyond 2^31 - 1', [0x04, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f], /exceeds 2\^31 - 1/],
    ['indexed field 0', [0x80], /index 0/],
    ['indexed field beyond the static table, dynamic empty', [0xbe], /index 62 is beyond the table's 61 entries/],
    ['literal name index beyond the table', [0x7e, 0x00], /index 62 is beyond/],
    ['literal name index beyond, without indexing', [0x0f, 0x2f, 0x00], /index 62 is beyond/],
    ['size update above the maximum', [0x3f, 0xe2, 0x1f], /exceeds the limit of 4096/],
    ['size update after a field', [0x82, 0x3f, 0xe1, 0x1f], /follows a field/],
    ['string cut short', [0x04, 0x05, 0x61], /runs past the block's end/],
    ['literal without its value', [0x04], /where a string literal should start/],
    ['literal name without its string', [0x40], /where a string literal should start/],
    ['literal name, value missing', [0x40, 0x01, 0x61], /where a string literal should start/],
    ['EOS in a Huffman string', [0x04, 0x85, 0xff, 0xff, 0xff, 0xff, 0xfc], /contains EOS/],
    ['Huffman padding not all ones', [0x04, 0x81, 0x00], /not all ones/],
    ['Huffman padding beyond 7 bits', [0x04, 0x82, 0x1f, 0xff], /more than 7 bits of padding/],
    ['Huffman string cut short', [0x04, 0x85, 0xff], /runs past the block's end/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`throws HpackError: ${what}`, () => expectHpackError(Uint8Array.from(bytes), message));
  }

  it('refuses a decoder limit that is not a table size', () => {
    expect(() => new HpackDecoder(-1)).toThrow(RangeError);
    expect(() => new HpackDecoder(1.5)).toThrow(RangeError);
  });
});

describe('the encoder', () => {
  it('indexes exact static fields and names static names in literals without indexing, with no Huffman', () => {
    expect(encodeHeaderBlock([[':method', 'GET']])).toEqual(Buffer.of(0x82));
    expect(encodeHeaderBlock([['accept-encoding', 'gzip, deflate']])).toEqual(Buffer.of(0x80 | 16));
    // RFC 7541 C.2.2 is exactly this representation.
    expect(encodeHeaderBlock([[':path', '/sample/path']])).toEqual(hex('040c 2f73 616d 706c 652f 7061 7468'));
    // user-agent is static 58: 15 in the 4-bit prefix, then 43.
    expect(encodeHeaderBlock([['user-agent', 'x']])).toEqual(Buffer.of(0x0f, 43, 0x01, 0x78));
    expect(encodeHeaderBlock([['custom-key', 'custom-header']])).toEqual(hex('000a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  });

  it('round-trips through the decoder and leaves its dynamic table empty', () => {
    const fields: Field[] = [
      ...STATIC_TABLE.map(([name, value]): Field => [name, value]),
      [':path', '/a/b?c=d'],
      [':status', '503'],
      ['x-empty', ''],
      ['x-long', 'v'.repeat(300)],
      ['x'.repeat(200), 'long name'],
      ['x-latin1', '\u0000\u007f\u0080\u00e9\u00ff'],
      ['te', 'trailers'],
    ];
    const decoder = new HpackDecoder();
    for (let i = 0; i < 3; i++) expect(decoder.decode(encodeHeaderBlock(fields))).toEqual(fields);
    expect(decoder.tableSize).toBe(0);
    expect(encodeHeaderBlock([])).toEqual(Buffer.alloc(0));
  });

  it('appends content-length to a prebuilt block as a literal naming static entry 28', () => {
    const block = encodeHeaderBlock([[':status', '200'], ['content-type', 'application/octet-stream']]);
    for (const length of [0, 7, 1_048_576]) {
      const withLength = withContentLength(block, length);
      expect([...withLength.subarray(block.length, block.length + 2)]).toEqual([0x0f, 0x0d]);
      expect(new HpackDecoder().decode(withLength)).toEqual([
        [':status', '200'],
        ['content-type', 'application/octet-stream'],
        ['content-length', String(length)],
      ]);
    }
  });

  it('refuses uppercase names, empty names and chars that are not bytes', () => {
    expect(() => encodeHeaderBlock([['Content-Type', 'text/plain']])).toThrow(/not lowercase/);
    expect(() => encodeHeaderBlock([['', 'x']])).toThrow(HpackError);
    expect(() => encodeHeaderBlock([['x-a', '\u0100']])).toThrow(/not a byte/);
    expect(() => encodeHeaderBlock([['x-\u20ac', 'a']])).toThrow(/not a byte/);
  });
});
