'use strict';
/**
 * The monkey's stuck detector (one job: notice when the page sits waiting with nothing moving).
 * Every half second it reads what the page shows: #status, the progress bar and counters, the
 * data files' progress. The page is stuck when all of that has stayed the same for longer than
 * `bound` while it leaves the user nothing to do: Train is disabled, the run is not paused with
 * Resume on offer, and #status is not an error (an error is a message: the user knows). A page
 * that stops answering counts as unchanged. The bound only detects a hang (tens of seconds): a
 * loaded machine may be slow, never that slow.
 *
 * Exports:
 *   watchdog(page, {bound}) -> { stuck() -> null | {seconds, status, state}, stop(),
 *                                quiet() -> seconds since anything changed }
 */

const SAMPLE_TIMEOUT = 5000; // ms: a page that does not answer a read within this is not moving

/** Runs in the page: what moves, and whether the user is left waiting. */
function sample() {
  const text = (id) => { const e = document.getElementById(id); return e ? e.textContent.trim() : ''; };
  const progress = document.getElementById('progress');
  const train = document.getElementById('train');
  const pause = document.getElementById('pause');
  const state = document.body.getAttribute('data-state');
  const kind = document.getElementById('status').getAttribute('data-kind');
  return {
    moving: [text('status'), progress && progress.value, text('progress-text'), text('updates'), text('epoch'),
      text('test-accuracy'), text('data-progress'), location.href].join('|'),
    waiting: !!train && train.disabled && !(state === 'paused' && pause && !pause.disabled) && kind !== 'error',
    status: text('status'),
    state,
  };
}

function watchdog(page, { bound }) {
  let last = null;
  let since = Date.now();
  let found = null;
  let busy = false;
  const tick = async () => {
    if (busy || found) return;
    busy = true;
    let s;
    try {
      s = await Promise.race([page.evaluate(sample),
        new Promise((resolve) => setTimeout(() => resolve({ moving: last, waiting: true, status: '(the page does not answer)' }), SAMPLE_TIMEOUT))]);
    } catch {
      s = { moving: `navigating ${Date.now()}`, waiting: false }; // a page being replaced: that is a change
    }
    busy = false;
    const now = Date.now();
    if (s.moving !== last || !s.waiting) {
      if (s.moving !== last) last = s.moving;
      since = now;
    } else if (now - since > bound) {
      found = { seconds: Math.round((now - since) / 1000), status: s.status, state: s.state };
    }
  };
  const timer = setInterval(tick, 500);
  return {
    stuck: () => found,
    stop: () => clearInterval(timer),
    quiet: () => (Date.now() - since) / 1000,
  };
}

module.exports = { watchdog };
