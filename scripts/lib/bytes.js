'use strict';
/**
 * Bytes of the formats the project reads, written from JavaScript: IDX image and label
 * files (MNIST's format; header fields can be overridden to craft bad files) and the
 * CRC-32 that model files and PNG chunks end with.
 *
 * Public: u32be(value) -> Buffer(4), idxImages(count, {magic, rows, cols, declared, fill}),
 * idxLabels(labels, {magic, declared}), crc32(bytes) -> unsigned 32-bit.
 */

function u32be(value) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** An IDX image file (28x28 unless told), pixel i = fill(i). */
function idxImages(count, { magic = 2051, rows = 28, cols = 28, declared = count, fill = (i) => i % 256 } = {}) {
  const pixels = Buffer.alloc(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = fill(i);
  return Buffer.concat([u32be(magic), u32be(declared), u32be(rows), u32be(cols), pixels]);
}

/** An IDX label file of the given labels (bytes). */
function idxLabels(labels, { magic = 2049, declared = labels.length } = {}) {
  return Buffer.concat([u32be(magic), u32be(declared), Buffer.from(labels)]);
}

/** CRC-32 (IEEE), as the model file format and PNG use. */
function crc32(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

module.exports = { u32be, idxImages, idxLabels, crc32 };
