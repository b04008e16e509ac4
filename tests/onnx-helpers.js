'use strict';
/**
 * Shared by the ONNX tests (onnx.test.js in Node, onnx-page.test.js in Chromium): a tiny
 * protobuf reader (enough of it to read an ONNX file's metadata_props and find its graph's
 * fields), the input the exported model takes, and the agreement check against the core.
 *
 *   fields(bytes, start?, end?)   -> [{ field, wire, start, end, value }]: one message's fields
 *                                    (wire 0: value a BigInt; wire 2: start..end its bytes)
 *   metadataOf(bytes)             -> { key: value } of the model's metadata_props
 *   graphNodes(bytes)             -> [{ start, end, opStart, opEnd }] of the graph's nodes
 *   onnxInput(pixels, first, n)   -> Float32Array(n × 784): images first.. as the core sees
 *                                    them (byte / 255 in float32), for input `pixels` [n,1,28,28]
 *   coreOutputs(engine, n)        -> { predicted, probabilities }: the core's answers for test
 *                                    images 0..n-1: classify's classes (the batch path), each
 *                                    image's probabilities from mnist_predict
 *   agreement(core, onnx)         -> { mismatches, worst }: images whose top class differs,
 *                                    the largest probability difference
 */

const PIXELS = 784;
const CLASSES = 10;

/** A varint at bytes[at]: [value (BigInt), the index after it]. */
function varint(bytes, at) {
  let value = 0n, shift = 0n;
  for (;;) {
    if (at >= bytes.length) throw new Error('protobuf: a varint runs past the end');
    const b = bytes[at++];
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [value, at];
    shift += 7n;
  }
}

/** The fields of the message in bytes[start, end). */
function fields(bytes, start = 0, end = bytes.length) {
  const out = [];
  let at = start;
  while (at < end) {
    const [key, next] = varint(bytes, at);
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = varint(bytes, next);
      out.push({ field, wire, start: next, end: after, value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = varint(bytes, next);
      out.push({ field, wire, start: after, end: after + Number(length) });
      at = after + Number(length);
    } else {
      throw new Error(`protobuf: wire type ${wire} is not one an ONNX export uses`);
    }
  }
  if (at !== end) throw new Error('protobuf: a field runs past the end of its message');
  return out;
}

const text = (bytes, f) => Buffer.from(bytes.subarray(f.start, f.end)).toString('utf8');

/** ModelProto.metadata_props (field 14: StringStringEntryProto key 1, value 2) as an object. */
function metadataOf(bytes) {
  const props = {};
  for (const f of fields(bytes).filter((g) => g.field === 14)) {
    const entry = fields(bytes, f.start, f.end);
    props[text(bytes, entry.find((g) => g.field === 1))] = text(bytes, entry.find((g) => g.field === 2));
  }
  return props;
}

/** GraphProto.node (ModelProto.graph = 7, GraphProto.node = 1), each with its op_type's bytes (4). */
function graphNodes(bytes) {
  const graph = fields(bytes).find((f) => f.field === 7);
  return fields(bytes, graph.start, graph.end).filter((f) => f.field === 1).map((n) => {
    const op = fields(bytes, n.start, n.end).find((f) => f.field === 4);
    return { start: n.start, end: n.end, opStart: op.start, opEnd: op.end, op: text(bytes, op) };
  });
}

const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255); // (float32: as the core's table)

function onnxInput(pixels, first, n) {
  const out = new Float32Array(n * PIXELS);
  const from = first * PIXELS;
  for (let i = 0; i < out.length; i++) out[i] = SCALE[pixels[from + i]];
  return out;
}

const argmax = (v, at) => {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (v[at + c] > v[at + best]) best = c;
  return best;
};

function coreOutputs(engine, n) {
  const { predicted } = engine.classify('test', 0, n);
  const probabilities = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    if (engine.x.predict_index(1, i) < 0) throw engine.coreError();
    probabilities.set(new Float32Array(engine.memory.buffer, engine.x.probabilities(), CLASSES), i * CLASSES);
  }
  return { predicted, probabilities };
}

/** core, onnx: { predicted: n classes, probabilities: n × 10 }. */
function agreement(core, onnx) {
  const n = core.predicted.length, mismatches = [];
  let worst = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(onnx.probabilities, i * CLASSES) !== core.predicted[i]) mismatches.push(i);
    for (let c = 0; c < CLASSES; c++) {
      worst = Math.max(worst, Math.abs(onnx.probabilities[i * CLASSES + c] - core.probabilities[i * CLASSES + c]));
    }
  }
  return { mismatches, worst };
}

module.exports = { fields, metadataOf, graphNodes, onnxInput, coreOutputs, agreement, argmax, PIXELS, CLASSES };
