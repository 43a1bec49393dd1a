import { HpackError } from './error.ts';
import { decodeHuffman } from './huffman.ts';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.ts';

export { HpackError } from './error.ts';

/** RFC 7541 §4.1: an entry's size is its name's and value's lengths in bytes plus 32. */
const ENTRY_OVERHEAD = 32;
/** The largest integer a block may carry; beyond it, a peer is broken or hostile (RFC 7541 §5.1 lets us refuse). */
const MAX_INTEGER = 0x7fffffff;
const EMPTY = Buffer.alloc(0);

/**
 * An HPACK decoder (RFC 7541) for one HTTP/2 connection's header blocks from the peer, in the order they arrive.
 * Strings are latin1: one char per byte, as HTTP field values are bytes, with no UTF-8 decoding. Any malformed block
 * throws HpackError; the table is then out of step with the peer's, and the connection must be closed (a
 * COMPRESSION_ERROR, RFC 9113 §4.3).
 */
export class HpackDecoder {
  /** The limit a size update may set: the SETTINGS_HEADER_TABLE_SIZE this side announced (4096 by default). */
  private readonly maxTableSize: number;
  /** The dynamic table's current maximum size, set by the peer's size updates. */
  private capacity: number;
  private size = 0;
  /*
   * The dynamic table as a ring: `first` is the newest entry (HPACK index 62), the oldest is `count - 1` slots
   * after it. Two parallel arrays, not an array of pairs, so that an insertion allocates nothing.
   */
  private names: string[] = new Array<string>(16).fill('');
  private values: string[] = new Array<string>(16).fill('');
  private first = 0;
  private count = 0;

  /** The block being decoded, as a Buffer over the same bytes (for latin1 slices), and the read position in it. */
  private block: Buffer = EMPTY;
  private pos = 0;

  constructor(maxTableSize = 4096) {
    if (!Number.isInteger(maxTableSize) || maxTableSize < 0 || maxTableSize > MAX_INTEGER) {
      throw new RangeError(`HPACK table size must be an integer from 0 to ${MAX_INTEGER}, not ${maxTableSize}`);
    }
    this.maxTableSize = maxTableSize;
    this.capacity = maxTableSize;
  }

  /** The dynamic table's size by RFC 7541 §4.1 (names, values and 32 per entry). */
  get tableSize(): number {
    return this.size;
  }

  /** The dynamic table's entries, newest first (for tests and diagnostics; not for the hot path). */
  tableEntries(): Array<[name: string, value: string]> {
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.first + i) & (this.names.length - 1);
      entries.push([this.names[slot]!, this.values[slot]!]);
    }
    return entries;
  }

  /** The fields of one complete header block (a HEADERS frame's fragment and its CONTINUATIONs, joined). */
  decode(block: Uint8Array): Array<[name: string, value: string]> {
    this.block = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    this.pos = 0;
    const end = block.length;
    const fields: Array<[string, string]> = [];
    try {
      while (this.pos < end) {
        const first = block[this.pos]!;
        if (first & 0x80) {
          // §6.1 indexed field: 1xxxxxxx.
          const index = this.readInteger(7);
          if (index === 0) throw new HpackError('HPACK: an indexed field has index 0 (RFC 7541 §6.1)');
          fields.push(this.field(index));
        } else if (first & 0x40) {
          // §6.2.1 literal with incremental indexing: 01xxxxxx, the name's index in 6 bits (0: a literal name).
          const name = this.literalName(6);
          const value = this.readString();
          this.insert(name, value);
          fields.push([name, value]);
        } else if (first & 0x20) {
          // §6.3 dynamic table size update: 001xxxxx. §4.2: only before the block's first field.
          if (fields.length > 0) throw new HpackError('HPACK: a dynamic table size update follows a field (RFC 7541 §4.2)');
          const capacity = this.readInteger(5);
          if (capacity > this.maxTableSize) {
            throw new HpackError(`HPACK: a dynamic table size update to ${capacity} exceeds the limit of ${this.maxTableSize} (RFC 7541 §6.3)`);
          }
          this.capacity = capacity;
          this.evictTo(capacity);
        } else {
          // §6.2.2 literal without indexing (0000xxxx) and §6.2.3 never indexed (0001xxxx): the index in 4 bits.
          const name = this.literalName(4);
          fields.push([name, this.readString()]);
        }
      }
    } finally {
      this.block = EMPTY;
    }
    return fields;
  }

  /** An integer with an N-bit prefix (RFC 7541 §5.1) at `pos`, whose first byte is known to be there. */
  private readInteger(prefixBits: number): number {
    const block = this.block;
    const mask = (1 << prefixBits) - 1;
    let value = block[this.pos++]! & mask;
    if (value < mask) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= block.length) throw new HpackError('HPACK: the block ends inside an integer (RFC 7541 §5.1)');
      if (shift > 28) throw new HpackError('HPACK: an integer has more continuation bytes than 2^31 needs (RFC 7541 §5.1)');
      const byte = block[this.pos++]!;
      // A multiplication, not a shift: a 32-bit shift would wrap before the check below could see it.
      value += (byte & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new HpackError(`HPACK: an integer exceeds 2^31 - 1 (RFC 7541 §5.1)`);
      if ((byte & 0x80) === 0) return value;
    }
  }

  /** A string literal (RFC 7541 §5.2): H bit, 7-bit-prefix length, then the bytes, Huffman-coded if H is set. */
  private readString(): string {
    const block = this.block;
    if (this.pos >= block.length) throw new HpackError('HPACK: the block ends where a string literal should start (RFC 7541 §5.2)');
    const huffman = (block[this.pos]! & 0x80) !== 0;
    const length = this.readInteger(7);
    const start = this.pos;
    if (length > block.length - start) {
      throw new HpackError(`HPACK: a string literal of ${length} bytes runs past the block's end (${block.length - start} left)`);
    }
    this.pos = start + length;
    return huffman ? decodeHuffman(block, start, start + length) : block.toString('latin1', start, start + length);
  }

  /** A literal field's name: an index in an N-bit prefix, or 0 and a string literal. */
  private literalName(prefixBits: number): string {
    const index = this.readInteger(prefixBits);
    if (index === 0) return this.readString();
    return this.field(index)[0];
  }

  /** The field at an HPACK index: 1-61 static, from 62 dynamic, newest first (RFC 7541 §2.3.3). */
  private field(index: number): [string, string] {
    if (index <= STATIC_TABLE_LENGTH) {
      const entry = STATIC_TABLE[index - 1]!;
      return [entry[0], entry[1]];
    }
    const dynamic = index - STATIC_TABLE_LENGTH - 1;
    if (dynamic >= this.count) {
      throw new HpackError(`HPACK: index ${index} is beyond the table's ${STATIC_TABLE_LENGTH + this.count} entries (RFC 7541 §2.3.3)`);
    }
    const slot = (this.first + dynamic) & (this.names.length - 1);
    return [this.names[slot]!, this.values[slot]!];
  }

  /** RFC 7541 §4.4: evict the oldest until the entry fits; an entry larger than the table empties it and is not added. */
  private insert(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.capacity) {
      this.evictTo(0);
      return;
    }
    this.evictTo(this.capacity - entrySize);
    if (this.count === this.names.length) this.grow();
    const mask = this.names.length - 1;
    this.first = (this.first - 1) & mask;
    this.names[this.first] = name;
    this.values[this.first] = value;
    this.count++;
    this.size += entrySize;
  }

  private evictTo(limit: number): void {
    const mask = this.names.length - 1;
    while (this.size > limit) {
      const oldest = (this.first + this.count - 1) & mask;
      this.size -= this.names[oldest]!.length + this.values[oldest]!.length + ENTRY_OVERHEAD;
      // Drop the strings so that the ring holds no memory for evicted entries.
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count--;
    }
  }

  /** Doubles the ring (a power of two, so a slot is `& mask`), keeping the entries newest first from slot 0. */
  private grow(): void {
    const length = this.names.length;
    const names = new Array<string>(length * 2).fill('');
    const values = new Array<string>(length * 2).fill('');
    for (let i = 0; i < this.count; i++) {
      const slot = (this.first + i) & (length - 1);
      names[i] = this.names[slot]!;
      values[i] = this.values[slot]!;
    }
    this.names = names;
    this.values = values;
    this.first = 0;
  }
}

