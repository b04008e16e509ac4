'use strict';
/**
 * Runs side by side (web/js/runs.js and its modules), in the page as a person uses it:
 * three short runs with different settings appear in the runs table with their figures;
 * ticking two draws two more curves on the chart (the canvas's data-overlays says what was
 * drawn); sorting, renaming (a bad name refused), exports (JSON and CSV, read back), a
 * reload keeps them, a run's link replays it to the same test accuracy, deleting one frees
 * its space (the store's count and size), and the saved model names its run. A full store
 * (IndexedDB's put made to throw QuotaExceededError) gives the message and loses nothing
 * already kept. Then the same main path in Firefox. Screenshot: build/screenshots/runs.png.
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { ROOT, tempDir } = require('./helpers');
const { SKIP, SHOTS, useBrowser, serve, openPage, waitForStatus, choosePreset, workerMessage } = require('./browser-helpers');
const Firefox = require('./firefox-helpers');

const DATA = path.join(ROOT, 'data');
const READY = /Ready: 60,000 training and 10,000 test images/;

useBrowser();

/** Three short runs, each its own settings: [preset, {field: text}] */
const RUNS = [
  ['seed', { epochs: '3' }],
  ['seed', { epochs: '3', optimizer: 'adam', lr: '0.01' }],
  ['seed', { epochs: '2', arch: '32', lr: '0.5' }],
];

/** Trains one run to its end in the page (page: Playwright's or Puppeteer's; pw: a Playwright
 *  page, or firefox-helpers' view of a Puppeteer one): waits for the worker's next `done`. */
async function trainRun(page, pw, [preset, fields]) {
  await choosePreset(pw, preset);
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'optimizer') await pw.selectOption(`#${name}`, value);
    else await pw.fill(`#${name}`, value);
  }
  const before = await page.evaluate(() => window.__workers[0].count.done || 0);
  await page.click('#train');
  await pw.waitForFunction((n) => (window.__workers[0].count.done || 0) > n, before, { timeout: 180000 });
  await waitForStatus(pw, /Done/);
}

/** The table's rows as the page shows them. */
function rows(page) {
  return page.$$eval('#runs-table tbody tr', (trs) => trs.map((tr) => ({
    id: tr.dataset.run,
    name: tr.querySelector('.run-name-text') ? tr.querySelector('.run-name-text').textContent : null,
    testAccuracy: tr.dataset.testAccuracy == null ? null : Number(tr.dataset.testAccuracy),
    elapsed: tr.dataset.elapsed == null ? null : Number(tr.dataset.elapsed),
    cells: [...tr.cells].map((c) => c.textContent.trim()),
    href: tr.querySelector('[data-action="open"]').href,
  })));
}

/** Waits until the table has `n` rows, every one at its end with its test accuracy. */
function waitForRows(pw, n) {
  return pw.waitForFunction((k) => {
    const trs = [...document.querySelectorAll('#runs-table tbody tr')];
    return trs.length === k && trs.every((tr) => tr.dataset.testAccuracy != null && tr.dataset.state === 'done') &&
      document.querySelector('#runs-stats').dataset.count === String(k);
  }, n, { timeout: 60000 });
}

/** The store as the page counts it, and IndexedDB's own count of the records. */
function stats(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const e = document.querySelector('#runs-stats');
    const open = indexedDB.open('mnist-wasm');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('runs').objectStore('runs').count();
      req.onsuccess = () => { open.result.close(); resolve({ count: Number(e.dataset.count), bytes: Number(e.dataset.bytes), stored: req.result }); };
    };
  }));
}

function overlays(page) {
  return page.evaluate(() => JSON.parse(document.querySelector('#chart').dataset.overlays || '[]'));
}

function rowButton(id, action) {
  return `#runs-table tr[data-run="${id}"] [data-action="${action}"]`;
}

/** Presses a button that downloads, and reads the file. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), text: fs.readFileSync(await file.path(), 'utf8') };
}

/** A CSV's lines as arrays of cells (quoted cells with commas and quotes). */
function parseCsv(text) {
  return text.trim().split('\r\n').map((line) => {
    const cells = [];
    const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    let m;
    while ((m = re.exec(line)) && m[0] !== '') {
      cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
      if (m[2] === '') break;
    }
    return cells;
  });
}

test('runs: three runs kept with their figures, two overlaid, sorted, renamed, exported, kept over a reload, replayed, deleted', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, problems } = await openPage(t, url, { width: 1280, height: 1000 }, { acceptDownloads: true });
  await waitForStatus(page, READY);
  assert.equal(await page.isHidden('#runs-table'), true, 'no runs yet: no table');

  const done = [];
  for (const [k, run] of RUNS.entries()) {
    await trainRun(page, page, run);
    done.push(await workerMessage(page, 'done'));
    await waitForRows(page, k + 1);
  }
  const list = await rows(page);
  assert.equal(new Set(list.map((r) => r.name)).size, 3, `each run has a name of its own: ${list.map((r) => r.name)}`);
  // newest first; each row's test accuracy and time are its run's `done`
  list.reverse().forEach((r, k) => {
    assert.equal(r.testAccuracy, done[k].testAccuracy, `run ${k + 1}'s test accuracy`);
    assert.equal(r.elapsed, done[k].elapsed, `run ${k + 1}'s time`);
    assert.match(r.cells.join(' '), /done/);
    assert.ok(r.cells.includes(`${(done[k].testAccuracy * 100).toFixed(2)}%`), `run ${k + 1} shows its accuracy: ${r.cells}`);
  });
  const [sgd, adam, dense] = list;
  assert.match(adam.name, /adam/);
  assert.match(sgd.name, /sgd/);
  assert.match(adam.href, /optimizer=adam/);
  assert.match(adam.href, /lr=0\.01/);

  // tick two: two overlaid runs, each drawn with its points in a colour of its own
  assert.deepEqual(await overlays(page), []);
  await page.check(`#run-tick-${sgd.id}`);
  await page.check(`#run-tick-${adam.id}`);
  await page.waitForFunction(() => JSON.parse(document.querySelector('#chart').dataset.overlays || '[]').length === 2);
  const drawn = await overlays(page);
  assert.deepEqual(drawn.map((o) => o.id), [sgd.id, adam.id]);
  assert.notEqual(drawn[0].color, drawn[1].color);
  for (const o of drawn) assert.ok(o.test >= 2 && o.loss >= 2, `${o.name}: its curves have points (${o.test} test, ${o.loss} loss)`);
  assert.equal(await page.isChecked(`#run-tick-${sgd.id}`), true, 'the tick stays after the table is drawn again');

  // sort by accuracy, both ways, and by time
  await page.click('#runs-table th[data-sort="accuracy"] button');
  assert.equal(await page.getAttribute('#runs-table th[data-sort="accuracy"]', 'aria-sort'), 'descending');
  let acc = (await rows(page)).map((r) => r.testAccuracy);
  assert.deepEqual(acc, acc.slice().sort((a, b) => b - a));
  await page.click('#runs-table th[data-sort="accuracy"] button');
  assert.equal(await page.getAttribute('#runs-table th[data-sort="accuracy"]', 'aria-sort'), 'ascending');
  acc = (await rows(page)).map((r) => r.testAccuracy);
  assert.deepEqual(acc, acc.slice().sort((a, b) => a - b));
  assert.equal(await page.getAttribute('#runs-table th[data-sort="when"]', 'aria-sort'), null);
  await page.click('#runs-table th[data-sort="time"] button');
  const times = (await rows(page)).map((r) => r.elapsed);
  assert.deepEqual(times, times.slice().sort((a, b) => b - a));

  // rename inline: an empty name is refused with a message, a good one kept (and named on the chart)
  await page.click(rowButton(adam.id, 'rename'));
  await page.fill(`#run-name-${adam.id}`, '   ');
  await page.press(`#run-name-${adam.id}`, 'Enter');
  assert.match(await page.textContent(`#run-name-error-${adam.id}`), /needs a name/);
  assert.equal(await page.getAttribute(`#run-name-${adam.id}`, 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute(`#run-name-${adam.id}`, 'maxlength'), '60');
  await page.fill(`#run-name-${adam.id}`, 'Adam, "fast" =1');
  await page.press(`#run-name-${adam.id}`, 'Enter');
  await page.waitForFunction((id) => {
    const e = document.querySelector(`#runs-table tr[data-run="${id}"] .run-name-text`);
    return e && e.textContent === 'Adam, "fast" =1';
  }, adam.id);
  await page.waitForFunction(() => JSON.parse(document.querySelector('#chart').dataset.overlays).some((o) => o.name === 'Adam, "fast" =1'));
  // the chart's card and the runs card, in page coordinates, the table scrolled to its start
  const clip = await page.evaluate(() => {
    document.activeElement.blur();
    document.querySelector('.runs-wrap').scrollLeft = 0;
    const top = document.querySelector('#chart').closest('section').getBoundingClientRect();
    const end = document.querySelector('#runs-card').getBoundingClientRect();
    return { x: top.left - 8, y: top.top + scrollY - 8, width: top.width + 16, height: end.bottom - top.top + 16 };
  });
  await page.screenshot({ path: path.join(SHOTS, 'runs.png'), fullPage: true, clip });

  // exports: JSON with every run and its curves, CSV with a line per run (quoted, formula-safe)
  const json = await download(page, '#runs-export-json');
  assert.match(json.name, /^mnist-runs-.*\.json$/);
  const exported = JSON.parse(json.text);
  assert.equal(exported.format, 'mnist-wasm-runs');
  assert.equal(exported.runs.length, 3);
  const adamJson = exported.runs.find((r) => r.id === adam.id);
  assert.equal(adamJson.name, 'Adam, "fast" =1');
  assert.equal(adamJson.figures.testAccuracy, done[1].testAccuracy);
  assert.equal(adamJson.settings.optimizer, 'adam');
  assert.ok(adamJson.curves.test.length >= 2 && adamJson.link === adam.href);
  const csv = parseCsv((await download(page, '#runs-export-csv')).text);
  assert.equal(csv.length, 4, 'a header and 3 runs');
  const col = (name) => csv[0].indexOf(name);
  for (const c of ['name', 'testAccuracy', 'elapsedSeconds', 'link', 'optimizer', 'lr']) assert.ok(col(c) >= 0, `CSV column ${c}`);
  const adamCsv = csv.find((line) => line[col('name')] === 'Adam, "fast" =1');
  assert.ok(adamCsv, 'the renamed run, its comma and quotes intact');
  assert.equal(Number(adamCsv[col('testAccuracy')]), done[1].testAccuracy);
  assert.equal(adamCsv[col('optimizer')], 'adam');
  assert.equal(csv.find((line) => line[col('id')] === dense.id)[col('arch')], '32');

  // a reload keeps them (names, figures); the saved model names the run that made it
  const before = await stats(page);
  await page.reload();
  await waitForStatus(page, READY);
  await waitForRows(page, 3);
  const again = await rows(page);
  assert.deepEqual(again.map((r) => [r.id, r.name, r.testAccuracy]).sort(), list.map((r) => [r.id, r.id === adam.id ? 'Adam, "fast" =1' : r.name, r.testAccuracy]).sort());
  assert.deepEqual(await stats(page), before);
  assert.equal(await page.getAttribute('#model-saved', 'data-run'), dense.id);
  await page.waitForFunction((name) => document.querySelector('#model-saved-text').textContent.includes(`made by the run “${name}”`), dense.name);

  // a run's link replays it: the same settings, trained again, the same test accuracy to the bit
  await page.goto(adam.href);
  await waitForStatus(page, READY);
  assert.equal(await page.inputValue('#optimizer'), 'adam');
  await page.click('#train');
  await waitForStatus(page, /Done/, 180000);
  assert.equal((await workerMessage(page, 'done')).testAccuracy, done[1].testAccuracy, 'the replay ends where the run did');
  await waitForRows(page, 4);

  // deleting one frees its space
  const full = await stats(page);
  assert.deepEqual([full.count, full.stored], [4, 4]);
  await page.click(rowButton(sgd.id, 'delete'));
  await page.waitForFunction(() => document.querySelector('#runs-stats').dataset.count === '3');
  const after = await stats(page);
  assert.deepEqual([after.count, after.stored], [3, 3]);
  assert.ok(after.bytes < full.bytes, `the store holds less: ${after.bytes} < ${full.bytes}`);
  assert.equal(await page.$(`#runs-table tr[data-run="${sgd.id}"]`), null);
  assert.match(await page.textContent('#runs-note'), /Deleted the run/);
  assert.deepEqual(problems, [], 'console errors or warnings');
});

/** Before the page's scripts: IndexedDB's put throws QuotaExceededError while window.__storeFull is true. */
function fullStoreSwitch() {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.__storeFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
}

test('runs: a full store says so, keeps what it had, and the page goes on', { skip: SKIP }, async (t) => {
  const url = await serve(t, DATA);
  const { page, context } = await openPage(t, url);
  await context.addInitScript(fullStoreSwitch);
  await page.reload();
  await waitForStatus(page, READY);
  await trainRun(page, page, RUNS[0]);
  await waitForRows(page, 1);
  const kept = await stats(page);
  const [first] = await rows(page);
  await page.waitForFunction(() => !document.querySelector('#model-saved').hidden);

  await page.evaluate(() => { window.__storeFull = true; });
  await trainRun(page, page, RUNS[1]);
  await page.waitForFunction(() => /storage is full/.test(document.querySelector('#runs-note').textContent));
  const note = await page.textContent('#runs-note');
  assert.match(note, /refused space .* not kept\. The runs already kept are safe and training goes on/);
  const list = await rows(page);
  assert.equal(list.length, 2, 'the refused run is still listed for this visit');
  assert.match(list[0].cells.join(' '), /not kept: storage full/);
  assert.deepEqual(await stats(page), kept, 'nothing kept was lost');
  assert.match(await page.textContent('#status'), /Done/);
  // the page goes on: another run trains
  await trainRun(page, page, RUNS[2]);

  await page.evaluate(() => { window.__storeFull = false; });
  await page.reload();
  await waitForStatus(page, READY);
  await waitForRows(page, 1);
  assert.deepEqual((await rows(page)).map((r) => [r.id, r.name]), [[first.id, first.name]]);
  assert.equal(await page.getAttribute('#model-saved', 'data-run'), first.id, 'the saved model is the kept run\'s');
});

test('runs in Firefox: two runs kept and overlaid, a reload keeps them, one deleted, CSV exported', async (t) => {
  const downloads = tempDir(t);
  const url = await serve(t, DATA);
  const { page, problems, pw } = await Firefox.openPage(t, url, { downloads });
  await waitForStatus(pw, READY);
  for (const [k, run] of RUNS.slice(0, 2).entries()) {
    await trainRun(page, pw, run);
    await waitForRows(pw, k + 1);
  }
  const list = await rows(page);
  for (const r of list) assert.ok(r.testAccuracy > 0.1, `${r.name}: ${r.testAccuracy}`);
  for (const r of list) await page.click(`#run-tick-${r.id}`);
  await pw.waitForFunction(() => JSON.parse(document.querySelector('#chart').dataset.overlays || '[]').length === 2, null, { timeout: 10000 });
  const drawn = await overlays(page);
  assert.deepEqual(drawn.map((o) => o.id).sort(), list.map((r) => r.id).sort());

  await page.reload();
  await waitForStatus(pw, READY);
  await waitForRows(pw, 2);
  assert.deepEqual((await rows(page)).map((r) => r.name), list.map((r) => r.name));
  const full = await stats(page);
  await page.click(rowButton(list[1].id, 'delete'));
  await pw.waitForFunction(() => document.querySelector('#runs-stats').dataset.count === '1', null, { timeout: 10000 });
  const after = await stats(page);
  assert.equal(after.stored, 1);
  assert.ok(after.bytes < full.bytes);

  await page.click('#runs-export-csv');
  const csv = parseCsv(fs.readFileSync(await Firefox.downloaded(downloads), 'utf8'));
  assert.equal(csv.length, 2);
  assert.equal(csv[1][csv[0].indexOf('id')], list[0].id);
  assert.deepEqual(problems, [], 'console errors or warnings');
});
