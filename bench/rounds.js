'use strict';
/**
 * Several runs of one CNN row, made one median row: the runs a row made one after another
 * (bench/cnn.js medianOf) or in rounds beside the rows it is compared with (bench/plan.js).
 *
 *   medianRow(rows, of, {lower}) -> the median row by field `of` (higher is better; lower: true,
 *     lower), with repeats: {of, values (each run's, in order), chosen (its index)}; a run
 *     without the figure counts as the worst, so a median of failures is a failure
 *   mergeRounds(rows) -> rows with each row of several rounds (round, rounds: bench/plan.js)
 *     replaced, where its first round stood, by the median of its rounds by samples/s, with the
 *     load record of its busiest round (a row is as busy as its busiest round)
 */

function medianRow(rows, of, { lower = false } = {}) {
  if (rows.length === 1) return rows[0];
  const worst = lower ? Infinity : -Infinity;
  const value = (r) => (typeof r[of] === 'number' ? r[of] : worst);
  const sorted = rows.slice().sort((a, b) => (lower ? value(a) - value(b) : value(b) - value(a)));
  const chosen = sorted[Math.floor((rows.length - 1) / 2)];
  return { ...chosen, repeats: { of, values: rows.map((r) => (typeof r[of] === 'number' ? r[of] : null)), chosen: rows.indexOf(chosen) } };
}

const keyOf = (r) => [r.net, r.impl, r.threads, r.page, r.preset, r.arch, r.batch].join('|');
const othersTook = (r) => (r.load && typeof r.load.others_cores_during === 'number' ? r.load.others_cores_during : 0);

function mergeRounds(rows) {
  const groups = new Map();
  for (const r of rows) {
    if (r.round === undefined) continue;
    const key = keyOf(r);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const out = [];
  for (const r of rows) {
    if (r.round === undefined) { out.push(r); continue; }
    const group = groups.get(keyOf(r));
    if (group[0] !== r) continue;
    const { round, rounds, ...merged } = medianRow(group, 'samples_per_second');
    const busiest = group.filter((g) => g.load && g.load.busy).sort((a, b) => othersTook(b) - othersTook(a))[0];
    if (busiest) merged.load = busiest.load;
    if (merged.repeats) merged.repeats.rounds = true;
    out.push(merged);
  }
  return out;
}

module.exports = { medianRow, mergeRounds };
