/* inflate.js - a gzip file into memory the caller gives (one job: RFC 1952's wrapper around
 * RFC 1951's deflate), for engine-data.js: a dataset's .gz bytes go from the page straight into
 * the module's memory, so no decompressed copy of the data (55 MB for MNIST) is ever made
 * in JavaScript, where it would stay until a garbage collection, on the page and again in
 * the worker. Synchronous, and checked like zlib does it: a damaged file is refused by its
 * structure, its CRC-32 or its length, never half-used.
 *
 *   isGzip(bytes)                 the gzip magic (1f 8b) at the start
 *   gzipSize(bytes, name, max)    the size the trailer declares, checked against
 *                                 max (the core's rules.maxFileBytes) and what deflate
 *                                 can expand to
 *   gunzipInto(bytes, out, name)  inflates into `out` (a Uint8Array of exactly
 *                                 gzipSize bytes: e.g. a view of module memory)
 * Every failure throws an Error "<name>: corrupt gzip data (<why>)" (the CLI's words), or
 * "<name>: larger than N MiB when decompressed; ..." for a file past max.
 */

// deflate expands at most 1032:1 (258-byte matches of 2 bits each): a larger claim is a damaged trailer
const MAX_RATIO = 1032;

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
  4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

class Corrupt extends Error {}

let crcTable = null; // slicing by 4: table k maps a byte k places further back
function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Int32Array(1024);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
    for (let i = 256; i < 1024; i++) crcTable[i] = (crcTable[i - 256] >>> 8) ^ crcTable[crcTable[i - 256] & 0xff];
  }
  const t = crcTable, n = bytes.length;
  let c = -1, i = 0;
  for (; i + 4 <= n; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A canonical Huffman code from code lengths as a lookup table indexed by the next `bits`
 *  input bits (deflate sends codes most significant bit first): entry = symbol << 4 | length,
 *  -1 where no code starts (an incomplete code; reaching it is an error). */
function huffman(lengths) {
  let bits = 0;
  const count = new Int32Array(16);
  for (const l of lengths) { count[l]++; if (l > bits) bits = l; }
  count[0] = 0;
  const next = new Int32Array(16);
  let code = 0, left = 1;
  for (let l = 1; l < 16; l++) {
    left = left * 2 - count[l];
    if (left < 0) throw new Corrupt('over-subscribed Huffman code');
    code = (code + count[l - 1]) << 1;
    next[l] = code;
  }
  const size = 1 << Math.max(bits, 1);
  const table = new Int32Array(size).fill(-1);
  lengths.forEach((l, symbol) => {
    if (!l) return;
    let c = next[l]++, reversed = 0;
    for (let k = 0; k < l; k++) { reversed = (reversed << 1) | (c & 1); c >>= 1; }
    for (let i = reversed; i < size; i += 1 << l) table[i] = (symbol << 4) | l;
  });
  return { table, mask: size - 1 };
}

let fixed = null;
function fixedCodes() {
  if (!fixed) {
    const lit = new Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixed = { lit: huffman(lit), dist: huffman(new Array(30).fill(5)) };
  }
  return fixed;
}

/** Inflates the deflate stream at src[start..] into out (all of it: exactly out.length
 *  bytes); returns the offset in src just past the stream. */
function inflate(src, start, out) {
  const end = src.length, outEnd = out.length;
  let pos = start, bitBuf = 0, bitCount = 0, op = 0, padding = 0;
  // at least n (<= 24) bits in bitBuf; past the input, zero bits (counted: using them is an error)
  const need = (n) => {
    while (bitCount < n) {
      if (pos < end) bitBuf |= src[pos++] << bitCount; else padding++;
      bitCount += 8;
    }
  };
  const take = (n) => {
    need(n);
    const v = bitBuf & ((1 << n) - 1);
    bitBuf >>>= n;
    bitCount -= n;
    return v;
  };
  const decode = (code) => {
    need(15);
    const e = code.table[bitBuf & code.mask];
    if (e < 0) throw new Corrupt('invalid Huffman code');
    const l = e & 15;
    bitBuf >>>= l;
    bitCount -= l;
    return e >> 4;
  };
  let last = 0;
  while (!last) {
    last = take(1);
    const type = take(2);
    if (type === 0) { // stored: byte-aligned LEN, NLEN, then LEN bytes as they are
      bitBuf >>>= bitCount & 7;
      bitCount -= bitCount & 7;
      pos -= bitCount >> 3; // the whole bytes still in the buffer go back
      bitBuf = bitCount = 0;
      if (pos + 4 > end) throw new Corrupt('unexpected end of data');
      const len = src[pos] | (src[pos + 1] << 8), nlen = src[pos + 2] | (src[pos + 3] << 8);
      if (len !== (~nlen & 0xffff)) throw new Corrupt('invalid stored block lengths');
      pos += 4;
      if (pos + len > end) throw new Corrupt('unexpected end of data');
      if (op + len > outEnd) throw new Corrupt('longer than its trailer says');
      out.set(src.subarray(pos, pos + len), op);
      pos += len;
      op += len;
      continue;
    }
    let lit, dist;
    if (type === 1) {
      ({ lit, dist } = fixedCodes());
    } else if (type === 2) {
      const nlit = take(5) + 257, ndist = take(5) + 1, ncode = take(4) + 4;
      if (nlit > 286 || ndist > 30) throw new Corrupt('too many length or distance symbols');
      const codeLengths = new Array(19).fill(0);
      for (let i = 0; i < ncode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = take(3);
      const lengthCode = huffman(codeLengths);
      const lengths = [];
      while (lengths.length < nlit + ndist) {
        const sym = decode(lengthCode);
        if (sym < 16) { lengths.push(sym); continue; }
        let repeat, value = 0;
        if (sym === 16) {
          if (!lengths.length) throw new Corrupt('invalid bit length repeat');
          value = lengths[lengths.length - 1];
          repeat = 3 + take(2);
        } else {
          repeat = sym === 17 ? 3 + take(3) : 11 + take(7);
        }
        if (lengths.length + repeat > nlit + ndist) throw new Corrupt('invalid bit length repeat');
        for (let k = 0; k < repeat; k++) lengths.push(value);
      }
      if (!lengths[256]) throw new Corrupt('invalid code -- missing end-of-block');
      lit = huffman(lengths.slice(0, nlit));
      dist = huffman(lengths.slice(nlit));
    } else {
      throw new Corrupt('invalid block type');
    }
    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        if (op >= outEnd) throw new Corrupt('longer than its trailer says');
        out[op++] = sym;
        continue;
      }
      if (sym === 256) break;
      const li = sym - 257;
      if (li >= 29) throw new Corrupt('invalid literal/length code');
      const length = LEN_BASE[li] + take(LEN_EXTRA[li]);
      const di = decode(dist);
      if (di >= 30) throw new Corrupt('invalid distance code');
      const distance = DIST_BASE[di] + take(DIST_EXTRA[di]);
      if (distance > op) throw new Corrupt('invalid distance too far back');
      if (op + length > outEnd) throw new Corrupt('longer than its trailer says');
      if (distance >= length && length > 32) {
        out.copyWithin(op, op - distance, op - distance + length);
        op += length;
      } else {
        for (let k = 0; k < length; k++, op++) out[op] = out[op - distance];
      }
    }
    if (padding > 0 && padding * 8 > bitCount) throw new Corrupt('unexpected end of data');
  }
  if (op !== outEnd) throw new Corrupt('shorter than its trailer says');
  return pos - ((bitCount - 8 * padding) >> 3); // the whole input bytes read ahead go back
}

export function isGzip(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const u32 = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

function fail(name, why) {
  return new Error(`${name}: corrupt gzip data (${why})`);
}

/** The refusal of a file larger than max bytes (decompressed): the CLI's words. */
export function tooLarge(name, max) {
  return new Error(`${name}: larger than ${max >> 20} MiB when decompressed; not an MNIST file`);
}

/** The decompressed size the trailer declares (checked). */
export function gzipSize(bytes, name, max) {
  const n = bytes.length;
  if (n < 18) throw fail(name, 'unexpected end of file');
  const size = u32(bytes, n - 4);
  if (size > max) throw tooLarge(name, max);
  if (size > n * MAX_RATIO) throw fail(name, 'its trailer claims more than deflate can hold');
  return size;
}

/** Inflates a one-member gzip file into out (exactly gzipSize(bytes) bytes). */
export function gunzipInto(bytes, out, name) {
  const n = bytes.length;
  try {
    if (!isGzip(bytes)) throw new Corrupt('incorrect header check');
    if (bytes[2] !== 8) throw new Corrupt('unknown compression method');
    const flags = bytes[3];
    if (flags & 0xe0) throw new Corrupt('unknown header flags set');
    let pos = 10;
    if (flags & 4) pos += 2 + (bytes[pos] | (bytes[pos + 1] << 8)); // FEXTRA
    for (const flag of [8, 16]) { // FNAME, FCOMMENT: zero-terminated
      if (!(flags & flag)) continue;
      while (pos < n && bytes[pos] !== 0) pos++;
      pos++;
    }
    if (flags & 2) pos += 2; // FHCRC
    if (pos > n - 8) throw new Corrupt('unexpected end of file');
    const end = inflate(bytes.subarray(0, n - 8), pos, out);
    if (end !== n - 8) throw new Corrupt('data after the end of the compressed stream');
    if (crc32(out) !== u32(bytes, n - 8)) throw new Corrupt('incorrect data check');
  } catch (error) {
    if (error instanceof Corrupt) throw fail(name, error.message);
    throw error;
  }
}
