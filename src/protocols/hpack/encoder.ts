import { HpackError } from './error.ts';
import { STATIC_TABLE } from './static-table.ts';

/** Static index of each exact field, keyed `name\0value`, and of each name's first entry (RFC 7541 Appendix A). */
const STATIC_FIELDS = new Map<string, number>();
const STATIC_NAMES = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  STATIC_FIELDS.set(`${name}\0${value}`, i + 1);
  if (!STATIC_NAMES.has(name)) STATIC_NAMES.set(name, i + 1);
});

/**
 * One header block for the fields given, in order. Stateless: it never adds to the peer's dynamic table, so a block
 * built once is valid on every request of every connection, whatever else was sent. A field equal to a static
 * entry is indexed (§6.1); any other is a literal without indexing (§6.2.2), naming the static entry when the name
 * is there; strings are written plain (no Huffman), latin1, one byte per char. Names must be lowercase (RFC 9113
 * §8.2.1); a name or value char above U+00FF cannot be a header byte and is refused, as is an empty name.
 */
export function encodeHeaderBlock(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const bytes: number[] = [];
  for (const [name, value] of headers) {
    checkField(name, value);
    const exact = STATIC_FIELDS.get(`${name}\0${value}`);
    if (exact !== undefined) {
      writeInteger(bytes, 0x80, 7, exact);
      continue;
    }
    const nameIndex = STATIC_NAMES.get(name);
    if (nameIndex !== undefined) {
      writeInteger(bytes, 0x00, 4, nameIndex);
    } else {
      bytes.push(0x00);
      writeString(bytes, name);
    }
    writeString(bytes, value);
  }
  return Buffer.from(bytes);
}

function checkField(name: string, value: string): void {
  if (name.length === 0) throw new HpackError('HPACK: a header name is empty');
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) throw new HpackError(`HPACK: header name ${JSON.stringify(name)} is not lowercase (RFC 9113 §8.2.1)`);
    if (code > 0xff) throw new HpackError(`HPACK: header name ${JSON.stringify(name)} has a char that is not a byte`);
  }
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) {
      throw new HpackError(`HPACK: the value of header ${JSON.stringify(name)} has a char that is not a byte (latin1 only)`);
    }
  }
}

/** RFC 7541 §5.1: `value` in an N-bit prefix of a first byte carrying `flags`, then 7 bits per continuation byte. */
function writeInteger(bytes: number[], flags: number, prefixBits: number, value: number): void {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    bytes.push(flags | value);
    return;
  }
  bytes.push(flags | mask);
  let rest = value - mask;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
}

/** RFC 7541 §5.2 with H = 0: the length in a 7-bit prefix, then the latin1 bytes. */
function writeString(bytes: number[], text: string): void {
  writeInteger(bytes, 0x00, 7, text.length);
  for (let i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i));
}

/** content-length's index in the static table (RFC 7541 Appendix A). */
const CONTENT_LENGTH_INDEX = 28;

/**
 * A header block built once with `content-length: length` appended: a literal without indexing naming static entry
 * 28 (0x0f 0x0d in a 4-bit prefix, RFC 7541 §6.2.2), then the digits. So a response's block is one small copy, not
 * an encoding per response.
 */
export function withContentLength(block: Buffer, length: number): Buffer {
  const digits = String(length);
  const bytes = Buffer.allocUnsafe(block.length + 3 + digits.length);
  block.copy(bytes, 0);
  let at = block.length;
  bytes[at++] = 0x0f;
  bytes[at++] = CONTENT_LENGTH_INDEX - 0x0f;
  bytes[at++] = digits.length;
  bytes.write(digits, at, 'latin1');
  return bytes;
}
