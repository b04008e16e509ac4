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
const said = new Map();    // kind -> the last text said of it
let last = -Infinity;      // when the region last spoke (performance.now())
let timer = 0;

function flush() {
  timer = 0;
  const region = Dom.$('announcer');
  if (!region || !pending.size) return;
  for (const [kind, text] of pending) said.set(kind, text);
  last = performance.now();
  region.textContent = [...pending.values()].join(' ');
  pending.clear();
}

export function say(kind, text) {
  if (!text) return;
  // back to what was last said of this kind: nothing new to say
  if (said.get(kind) === text) pending.delete(kind); else pending.set(kind, text);
  if (timer || !pending.size) return;
  const wait = ANNOUNCE_EVERY_MS - (performance.now() - last);
  if (wait <= 0) flush(); else timer = setTimeout(flush, wait);
}
