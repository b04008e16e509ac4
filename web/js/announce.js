/* announce.js - what a screen reader hears of the texts that change by themselves while the
 * network trains (one job: a polite live region, #announcer, that speaks at most every
 * Controls.ANNOUNCE_EVERY_MS). The drawing's verdict, the chosen test image's prediction and
 * the mistakes' count are shown where they belong, in elements that are not live regions,
 * and said here: the latest text of each kind that changed, at once when the region has been
 * quiet that long, else together when that time is up. The run's own progress and end are
 * #status's (controls.js), throttled the same way.
 *
 * Exports:
 *   say(kind, text)   queue `text` as the latest of `kind` ('verdict', 'mistakes' ...)
 */
import * as Dom from './dom.js';
import { ANNOUNCE_EVERY_MS } from './controls.js';

const pending = new Map(); // kind -> the latest text not yet said
const said = new Map();    // kind -> the last text said
let last = -Infinity;      // when the region last spoke (performance.now())
let timer = 0;

function flush() {
  timer = 0;
  const region = Dom.$('announcer');
  const texts = [...pending.values()];
  pending.clear();
  if (!region || !texts.length) return;
  last = performance.now();
  region.textContent = texts.join(' ');
}

export function say(kind, text) {
  if (!text || said.get(kind) === text) { pending.delete(kind); return; }
  said.set(kind, text);
  pending.set(kind, text);
  if (timer) return;
  const wait = ANNOUNCE_EVERY_MS - (performance.now() - last);
  if (wait <= 0) flush(); else timer = setTimeout(flush, wait);
}
