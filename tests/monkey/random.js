'use strict';
/**
 * A seeded pseudo-random source for the monkey test (one job: the same seed gives the same
 * numbers on every machine, so that a failing run can be replayed).
 *
 * Exports:
 *   random(seed) -> { seed, next() in [0, 1), int(lo, hi) in lo..hi, pick(list), chance(p),
 *                     weighted([[weight, value], ...]) }
 */

/** mulberry32: 32 bits of state, good enough to spread actions, and exactly reproducible. */
function random(seed) {
  let state = (Number(seed) >>> 0) || 1;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const weighted = (pairs) => {
    const total = pairs.reduce((sum, [w]) => sum + w, 0);
    let r = next() * total;
    for (const [w, value] of pairs) {
      r -= w;
      if (r < 0) return value;
    }
    return pairs[pairs.length - 1][1];
  };
  return { seed, next, int, pick, chance, weighted };
}

module.exports = { random };
