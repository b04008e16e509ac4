/* unpack.js - stored bytes into IDX bytes (one job: base64 and gzip), and the error
 * every data failure is reported with.
 *
 * Public: window.MnistUnpack = {
 *   base64ToBytes(text) -> Uint8Array
 *   gunzip(bytes, name) -> Promise<ArrayBuffer>   bytes without the gzip magic come back as they are
 *   DataError(kind, message)                       an Error with a kind (below)
 *   messageOf(error)                               its message without the final full stop
 * }
 */
(function () {
  'use strict';

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

  function isGzip(bytes) {
    return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  }

  /** Gunzips bytes (Uint8Array) into an ArrayBuffer; bytes without the gzip magic
   *  are returned as they are (already decompressed). `name` is used in errors. */
  function gunzip(bytes, name) {
    if (!(bytes instanceof Uint8Array)) bytes = new Uint8Array(bytes);
    if (!isGzip(bytes)) {
      var copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer : bytes.slice().buffer;
      return Promise.resolve(copy);
    }
    if (typeof DecompressionStream !== 'function') {
      return Promise.reject(DataError('unsupported', 'This browser cannot decompress gzip ' +
        '(no DecompressionStream): use a current Chrome, Edge, Firefox or Safari, ' +
        'or choose already decompressed IDX files below.'));
    }
    var reader;
    try {
      var ds = new DecompressionStream('gzip');
      var writer = ds.writable.getWriter();
      // Errors surface on the readable side; these promises only must not go unhandled.
      writer.write(bytes).catch(function () {});
      writer.close().catch(function () {});
      reader = ds.readable.getReader();
    } catch (e) {
      return Promise.reject(DataError('gzip', name + ': corrupt gzip data (' + messageOf(e) + ')'));
    }
    // The gzip trailer holds the uncompressed size (mod 2^32): allocate once when it is sane.
    var n = bytes.length;
    var isize = n >= 18 ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0 : 0;
    // (deflate expands at most about 1032:1, so a larger claim is a damaged trailer)
    var sane = isize > 0 && isize <= 256 * 1024 * 1024 && isize <= n * 1032 + 1024;
    var out = new Uint8Array(sane ? isize : Math.max(1 << 16, n * 4));
    var size = 0;
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) return size === out.length ? out.buffer : out.slice(0, size).buffer;
        var chunk = r.value;
        if (size + chunk.length > out.length) {
          var cap = out.length * 2;
          while (cap < size + chunk.length) cap *= 2;
          var next = new Uint8Array(cap);
          next.set(out.subarray(0, size));
          out = next;
        }
        out.set(chunk, size);
        size += chunk.length;
        return pump();
      });
    }
    return pump().catch(function (e) {
      throw DataError('gzip', name + ': corrupt gzip data (' + messageOf(e) + ')');
    });
  }

  function messageOf(e) {
    var m = e && e.message ? String(e.message) : String(e);
    return m.replace(/\.$/, '');
  }

  window.MnistUnpack = { base64ToBytes: base64ToBytes, gunzip: gunzip, DataError: DataError, messageOf: messageOf };
})();
