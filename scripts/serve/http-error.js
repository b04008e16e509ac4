'use strict';
/**
 * How the dev server's file-system failures become HTTP answers: HttpError (an error
 * that becomes a short plain-text response with its status) and withHttpErrors(fsCall),
 * which runs a file-system call with "not there" as 404 and "not allowed" as 403.
 */

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** ELOOP is a symlink loop, or (with O_NOFOLLOW) a symlink swapped in late. */
async function withHttpErrors(fsCall) {
  try {
    return await fsCall();
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG'].includes(err.code)) throw new HttpError(404, 'Not Found');
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new HttpError(403, 'Forbidden');
    throw err;
  }
}

module.exports = { HttpError, withHttpErrors };
