/* unpack.js - stored bytes from base64 (one job: the script-loadable data copies and the
 * bundle's WebAssembly modules), and the error every data failure is reported with. (gzip
 * is the worker's: worker/inflate.js.)
 *
 * Exports:
 *   base64ToBytes(text) -> Uint8Array (of a buffer of its own, exactly its bytes)
 *   DataError(kind, message)   an Error with a kind (below)
 *   messageOf(error)           its message without the final full stop
 */
/** An Error with a `kind`: 'not-found', 'http', 'network', 'gzip', 'missing-files',
 *  'file-mode', 'unsupported', 'aborted' or 'read'. */
function DataError(kind, message) {
  var e = new Error(message);
  e.name = 'DataError';
  e.kind = kind;
  return e;
}

function base64ToBytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') {
    return Uint8Array.fromBase64(text);
  }
  var bin = atob(text);
  var n = bin.length;
  var out = new Uint8Array(n);
  for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function messageOf(e) {
  var m = e && e.message ? String(e.message) : String(e);
  return m.replace(/\.$/, '');
}

export { base64ToBytes, DataError, messageOf };
