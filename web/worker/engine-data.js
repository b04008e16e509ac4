/* engine-data.js - the datasets inside the WebAssembly module: IDX files (gzipped or not)
 * copied or inflated into its memory and handed to the core, which validates and keeps
 * them, and copies of their images and labels read back out.
 *
 *   loadSet(engine, set, images, labels, names) -> { count }   set: 'train' | 'test'
 *   checkSet(engine, set, images, labels, names)   whether they would load; nothing replaced
 *   count(engine, set), image(engine, set, index) -> { pixels, label }, labels(engine, set)
 *   setIndex(set)                                 the core's number of a set
 * (engine: a MnistEngine, engine.js) */

import { failure } from './engine-wasm.js';
import * as Inflate from './inflate.js';

const SETS = { train: 0, test: 1 };

export function setIndex(set) {
  if (!(set in SETS)) throw failure(`unknown dataset '${set}' (expected train or test)`);
  return SETS[set];
}

/** A data file into the module's memory: IDX bytes as they are, gzip-compressed ones
 *  inflated straight in (inflate.js), so that no decompressed copy is made in JavaScript
 *  (it would stay until a garbage collection). -> { ptr, size } */
function copyData(engine, data, name) {
  const bytes = new Uint8Array(data.buffer || data, data.byteOffset || 0, data.byteLength);
  const max = engine.rules.maxFileBytes;
  if (!Inflate.isGzip(bytes)) {
    if (bytes.byteLength > max) throw Inflate.tooLarge(name, max);
    return { ptr: engine.copyIn(bytes), size: bytes.byteLength };
  }
  const size = Inflate.gzipSize(bytes, name, max);
  const ptr = engine.x.mem_alloc(size);
  if (!ptr) throw failure(`out of WebAssembly memory for ${size} bytes`);
  try {
    Inflate.gunzipInto(bytes, engine.bytes().subarray(ptr, ptr + size), name);
  } catch (error) {
    engine.x.mem_free(ptr);
    throw error;
  }
  return { ptr, size };
}

/** Validates and keeps a set; images/labels are the IDX bytes, gzipped or not (a copy
 *  is kept: the caller's may go). */
/** Hands a set's two files to the module (dataset_file): the next load_dataset or
 *  check_dataset takes them. */
function stage(engine, set, images, labels, names) {
  const named = { images: names.images || `${set} images`, labels: names.labels || `${set} labels` };
  const imagesData = copyData(engine, images, named.images);
  let labelsData;
  try {
    labelsData = copyData(engine, labels, named.labels);
  } catch (error) {
    engine.x.mem_free(imagesData.ptr);
    throw error;
  }
  const imagesName = engine.copyString(named.images);
  const labelsName = engine.copyString(named.labels);
  // dataset_file hands the data buffers to the module (load_dataset frees them on failure).
  engine.x.dataset_file(0, imagesData.ptr, imagesData.size, imagesName);
  engine.x.dataset_file(1, labelsData.ptr, labelsData.size, labelsName);
  engine.x.mem_free(imagesName);
  engine.x.mem_free(labelsName);
}

export function loadSet(engine, set, images, labels, names = {}) {
  const which = setIndex(set);
  stage(engine, set, images, labels, names);
  engine.check(engine.x.load_dataset(which));
  return { count: count(engine, set) };
}

/** Whether a set's files would load (the same checks as loadSet), leaving the sets in
 *  place and the network on them as they are; throws what loadSet would. */
export function checkSet(engine, set, images, labels, names = {}) {
  setIndex(set);
  stage(engine, set, images, labels, names);
  engine.check(engine.x.check_dataset());
}

export function count(engine, set) { return Number(engine.x.dataset_count(setIndex(set))); }

/** A copy of image `index` of a set (784 bytes) and its label. */
export function image(engine, set, index) {
  const which = setIndex(set), pixels = engine.rules.pixels;
  const ptr = engine.x.dataset_pixels(which) + index * pixels;
  return { pixels: engine.bytes().slice(ptr, ptr + pixels), label: engine.bytes()[engine.x.dataset_labels(which) + index] };
}

/** Every label of a set (a copy). */
export function labels(engine, set) {
  const ptr = engine.x.dataset_labels(setIndex(set));
  return engine.bytes().slice(ptr, ptr + count(engine, set));
}
