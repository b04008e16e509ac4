'use strict';
/**
 * From a request's URL to names below one of the dev server's two folders, before the
 * file system is asked anything: parseRequestPath(rawUrl) -> { segments, trailingSlash },
 * routeRequest(segments, roots) -> { root, names, urlPrefix }, directoryLocation(parts)
 * (a folder's URL with its slash, for a redirect), and isInside(root, target).
 */

const path = require('node:path');
const { HttpError } = require('./http-error.js');

const DATA_PREFIX = 'data';

/** True if `target` is `root` or lies below it (both absolute and normalised). */
function isInside(root, target) {
  const relative = path.relative(root, target);
  if (relative === '') return true;
  return relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative);
}

/**
 * The request path as a list of names, decoded exactly once, so `%252e` stays the
 * literal name `%2e`. Anything that tries to climb (`..`) is refused here; empty and
 * `.` segments are dropped, which makes `//etc/passwd` mean `etc/passwd` inside the
 * root. A path ending in `/` or in a `.` segment names a folder (`/sub/.` is `/sub/`,
 * as a URL parser reads it), so `/.` is the root itself, never a redirect.
 */
function parseRequestPath(rawUrl) {
  const rawPath = rawUrl.split('?', 1)[0];
  if (!rawPath.startsWith('/')) throw new HttpError(400, 'Bad Request: the path must start with /');
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'Bad Request: malformed percent-encoding');
  }
  if (decoded.includes('\0')) throw new HttpError(400, 'Bad Request: NUL byte in path');
  // A backslash is a separator on Windows and never part of a name the page uses.
  if (decoded.includes('\\')) throw new HttpError(403, 'Forbidden');
  const all = decoded.split('/');
  if (all.includes('..')) throw new HttpError(403, 'Forbidden');
  const last = all[all.length - 1];
  return { segments: all.filter((segment) => segment !== '' && segment !== '.'), trailingSlash: last === '' || last === '.' };
}

/** Which folder a request is for, and the names below it. /data/ always means data/. */
function routeRequest(segments, roots) {
  if (segments[0] === DATA_PREFIX) {
    return { root: roots.dataRoot, names: segments.slice(1), urlPrefix: [DATA_PREFIX] };
  }
  return { root: roots.webRoot, names: segments, urlPrefix: [] };
}

/**
 * `/a/b/` for the names [a, b] (`/` for none), each encoded: built from checked names,
 * never echoed from the request, and never starting `//`, which a browser would read
 * as another host.
 */
function directoryLocation(parts) {
  return '/' + parts.map((part) => `${encodeURIComponent(part)}/`).join('');
}

module.exports = { parseRequestPath, routeRequest, directoryLocation, isInside };
