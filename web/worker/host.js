/* host.js - what the worker needs of where it runs: a browser's Web Worker, or (the tests,
 * the benchmark) Node, whose built-in modules an ES module reaches without require().
 *
 *   IN_BROWSER        whether this is a browser (a Web Worker or the page)
 *   nodeModule(name)  a Node built-in module ('node:os', 'node:worker_threads'), in Node only */

export const IN_BROWSER = typeof WorkerGlobalScope !== 'undefined' || typeof window !== 'undefined';

export function nodeModule(name) {
  if (typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') {
    throw new Error(`${name} is Node's, and this is not Node 20.16 or newer`);
  }
  return process.getBuiltinModule(name);
}
