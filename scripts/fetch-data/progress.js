'use strict';
/**
 * A download's progress output: one line redrawn on a terminal, a few lines in a log.
 *
 * Public: createProgress(stream, label, totalBytes, clock) -> {received, add(bytes), finish(complete)},
 * formatBytes(n) -> "1.5 MiB".
 */

function formatBytes(n) {
  if (n >= 1024 * 1024) return (n / (1024 * 1024)).toFixed(1) + ' MiB';
  if (n >= 1024) return (n / 1024).toFixed(1) + ' KiB';
  return n + ' B';
}

/**
 * Progress on `stream`: on a TTY one line redrawn with \r (at most every 100 ms);
 * otherwise (CI logs) a line at 25/50/75/100 % for big files and one final line
 * for small ones, so logs stay short. clock() -> ms: Date.now unless a test gives its own.
 */
function createProgress(stream, label, totalBytes, clock = Date.now) {
  const isTTY = Boolean(stream && stream.isTTY);
  const quarterLines = totalBytes !== null && totalBytes >= 1024 * 1024;
  let received = 0;
  let lastDrawMs = 0;
  let nextQuarter = 1;
  let finished = false;

  function describe() {
    if (totalBytes === null) return `${label}: ${formatBytes(received)}`;
    const percent = totalBytes === 0 ? 100 : Math.floor((received * 100) / totalBytes);
    return `${label}: ${formatBytes(received)} / ${formatBytes(totalBytes)} (${percent}%)`;
  }

  function drawTTY(force) {
    const now = clock();
    if (!force && now - lastDrawMs < 100) return;
    lastDrawMs = now;
    stream.write('\r' + describe() + '\x1b[K');
  }

  function printQuarters() {
    while (nextQuarter <= 3 && received * 4 >= totalBytes * nextQuarter) {
      stream.write(describe() + '\n');
      nextQuarter += 1;
    }
  }

  return {
    get received() {
      return received;
    },
    add(bytes) {
      received += bytes;
      if (!stream) return;
      if (isTTY) drawTTY(false);
      else if (quarterLines) printQuarters();
    },
    /** Final line; `complete` false means the transfer broke off. */
    finish(complete = true) {
      if (finished || !stream) return;
      finished = true;
      const suffix = complete ? '' : ' (interrupted)';
      if (isTTY) stream.write('\r' + describe() + suffix + '\x1b[K\n');
      else stream.write(describe() + suffix + '\n');
    },
  };
}

module.exports = { createProgress, formatBytes };
