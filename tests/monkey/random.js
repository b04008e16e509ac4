'use strict';
/**
 * A seeded pseudo-random source for the monkey test (one job: the same seed gives the same
 * numbers on every machine, so that a failing run can be replayed).
 *
 * Exports:
 *   random(seed) -> { seed, next() in [0, 1), int(lo, hi) in lo..hi, pick(list), chance(p),
 *                     weighted([[weight, value], ...]) }
 */

const { makeRng } = require('../../scripts/handwriting/generate.js');

/** The handwriting generator's mulberry32 (32 bits of state, exactly reproducible), with
 *  what the monkey draws from it. */
function random(seed) {
  const { next } = makeRng((Number(seed) >>> 0) || 1);
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
