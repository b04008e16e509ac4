'use strict';
/**
 * The runs' records without a browser (web/js/runs-store.js, web/js/runs-export.js): a
 * run's name is checked as typed; a curve of any length is kept within MAX_POINTS with its
 * ends and extremes, so a run's record stays small; the CSV quotes what needs quoting and
 * keeps a spreadsheet from running a name as a formula; the JSON carries the records whole.
 */

const assert = require('node:assert/strict');
const { test } = require('node:test');

const load = () => Promise.all([import('../web/js/runs-store.js'), import('../web/js/runs-export.js')]);

test('runs: a name is 1..NAME_MAX characters of text, spaces folded', async () => {
  const [Store] = await load();
  assert.deepEqual(Store.checkName('  Adam   vs SGD '), { name: 'Adam vs SGD' });
  assert.match(Store.checkName('   ').message, /needs a name/);
  assert.match(Store.checkName(null).message, /needs a name/);
  assert.equal(Store.checkName('x'.repeat(Store.NAME_MAX)).name.length, Store.NAME_MAX);
  assert.match(Store.checkName('x'.repeat(Store.NAME_MAX + 1)).message, new RegExp(`at most ${Store.NAME_MAX} characters`));
  assert.match(Store.checkName('a\u0000b').message, /control characters/);
});

test('runs: a long curve is thinned to MAX_POINTS, its ends and extremes kept; a record stays small', async () => {
  const [Store] = await load();
  const n = 20000;
  const curve = Array.from({ length: n }, (_, k) => ({ x: (k / n) * 50, y: 1 / (1 + k / 100) + 0.01 * Math.sin(k * 7.3) }));
  const lowest = curve.reduce((a, p) => (p.y < a.y ? p : a));
  const highest = curve.reduce((a, p) => (p.y > a.y ? p : a));
  const curves = Store.compactCurves({ loss: curve, train: curve, test: curve.slice(0, 100) });
  assert.ok(curves.loss.length <= Store.MAX_POINTS && curves.loss.length > Store.MAX_POINTS / 2, `${curves.loss.length} points`);
  assert.equal(curves.test.length, 100, 'a short curve is kept whole');
  const xs = curves.loss.map(([x]) => x);
  assert.deepEqual(xs, xs.slice().sort((a, b) => a - b), 'in order of x');
  const near = (p, q) => Math.abs(p[0] - q.x) < 1e-4 && Math.abs(p[1] - q.y) < 1e-4;
  for (const [what, p] of [['first', curve[0]], ['last', curve[n - 1]], ['lowest', lowest], ['highest', highest]]) {
    assert.ok(curves.loss.some((q) => near(q, p)), `the ${what} point is kept`);
  }
  assert.deepEqual(Store.expandCurves(curves).test[3], { x: curves.test[3][0], y: curves.test[3][1] });
  // non-numbers are left out, not kept as null
  assert.deepEqual(Store.compactCurves({ loss: [{ x: 0, y: NaN }, { x: 1, y: 2 }, null] }).loss, [[1, 2]]);
  const record = { id: 'run-x', name: 'a run', query: 'preset=default', settings: {}, figures: {}, startedAt: 0, curves: Store.compactCurves({ loss: curve, train: curve, test: curve }) };
  assert.ok(Store.sizeOf(record) < 20000, `a run with three full curves is ${Store.sizeOf(record)} characters`);
  assert.deepEqual(Store.stats([record, record]), { count: 2, bytes: 2 * Store.sizeOf(record) });
});

test('runs: CSV quotes commas, quotes and line breaks and disarms formulas; JSON carries the records', async () => {
  const [, Export] = await load();
  const runs = [
    { id: 'r1', name: 'Adam, "fast"', dataset: 'mnist', state: 'done', startedAt: Date.UTC(2026, 0, 2), threads: 2, link: 'http://x/?a=1&b=2',
      figures: { testAccuracy: 0.9812, loss: 0.05, epochs: 2, iterations: 100, samplesPerSecond: 5000, elapsed: 3.5 },
      settings: { optimizer: 'adam', lr: '0.01' } },
    { id: 'r2', name: '=HYPERLINK("x")', dataset: 'mnist', state: 'diverged', startedAt: Date.UTC(2026, 0, 3), threads: null,
      figures: { testAccuracy: null }, settings: { optimizer: 'sgd', momentum: '0.9' } },
  ];
  const lines = Export.toCsv(runs).split('\r\n');
  assert.equal(lines.length, 4, 'a header, two runs, the final line break');
  assert.equal(lines[0], Export.CSV_COLUMNS.concat(['optimizer', 'lr', 'momentum']).join(','));
  assert.equal(lines[1], 'r1,"Adam, ""fast""",mnist,done,2026-01-02T00:00:00.000Z,0.9812,0.05,2,100,5000,3.5,2,http://x/?a=1&b=2,adam,0.01,');
  assert.equal(lines[2], 'r2,"\'=HYPERLINK(""x"")",mnist,diverged,2026-01-03T00:00:00.000Z,,,,,,,,,sgd,,0.9');
  const json = JSON.parse(Export.toJson(runs));
  assert.equal(json.format, 'mnist-wasm-runs');
  assert.deepEqual(json.runs, runs);
});
