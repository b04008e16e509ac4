'use strict';
/**
 * The monkey's actions (one job: what a careless user can do to the page, drawn from a seeded
 * source and performed through real input where there is one). An action is plain JSON, drawn
 * from the random source alone (never from the page's state), so a seed always gives the same
 * list; when it is performed, what it hit is written into it (`did`, and `target`: the selector
 * of the control a click resolved to), which is what tests/monkey-replay.js replays.
 *
 * Works with a Playwright page (Chromium) and a puppeteer page (Firefox): it uses only
 * evaluate(fn, arg), mouse, keyboard and goto, which the two share.
 *
 * Exports:
 *   plan(rng) -> action                one random action
 *   perform(page, action, ctx) -> Promise   does it; ctx: { base (the page's URL), model (a valid
 *                                      model file, base64), exclude (selectors never clicked),
 *                                      wait(pattern-in-page-fn, arg, ms) }; rejects when the page
 *                                      breaks a promise (a refusal that changed the run's state)
 *   describe(action) -> one line       for the log
 */

const CONTROLS = ['train', 'pause', 'step', 'reset'];
const KEYS = ['Tab', 'Shift+Tab', 'Enter', 'Space', 'Escape', 'Delete', 'Backspace', 'ArrowUp', 'ArrowDown', 'ArrowLeft',
  'ArrowRight', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
// settings texts, valid and not, for any field; the layer text gets its own
const TEXTS = ['0', '1', '2', '3', '-1', '0.5', '0.01', '0.001', '1e-3', '0.9', '64', '128', '1000', '', ' ', 'abc', '1e309',
  'NaN', 'Infinity', '-0', '99999999999', '0x10', '1.5.2', '12abc', '1,5', '\u0663', '5\u00001', '1'.repeat(400)];
const ARCHS = ['784-10', '32', '64-32', '128', '784-128-10', 'c8k3-p2-32', 'c8k5-p2-16', 'c16k30-64', '784-10\u0000-10', '10-',
  '-', 'x', '', '0', 'c0k3', 'p2', '784-784-784-784', 'c16k3-p2-c32k3-p2-64', ' 32 ', '32\n64', '9'.repeat(50)];
const SEARCHES = ['?preset=default', '?preset=seed', '?preset=cnn', '?preset=wide', '?preset=nope', '?lr=abc', '?arch=c16k30-64',
  '?epochs=1', '?dataset=fashion-mnist', '?dataset=bogus', '?preset=default&arch=32&epochs=2', '?batch=0', '?optimizer=adam%00x', ''];
const HASHES = ['#results', '#draw-pad', '#nowhere', '#', '#preset=cnn'];
const DATA_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz'];

/** A damage to a file's bytes, or null for none; positions are fractions of its length. */
function damage(rng, allowNone) {
  return rng.weighted([
    [allowNone ? 3 : 0, null],
    [2, { kind: 'truncate', at: rng.next() }],
    [3, { kind: 'flip', at: [rng.next(), rng.next(), rng.next()].slice(0, rng.int(1, 3)), bit: rng.int(0, 7) }],
    [1, { kind: 'append', n: rng.int(1, 64) }],
    [1, { kind: 'empty' }],
    [1, { kind: 'text' }],
  ]);
}

function plan(rng) {
  const kind = rng.weighted([[14, 'control'], [16, 'click'], [10, 'key'], [10, 'edit'], [5, 'select'], [10, 'draw'],
    [5, 'teach'], [6, 'model'], [2, 'data'], [2, 'url'], [2, 'hash']]);
  const pause = rng.chance(0.6) ? 0 : rng.int(20, 200); // ms before the next action
  switch (kind) {
    case 'control': return { kind, id: rng.pick(CONTROLS), pause };
    case 'click': return { kind, r: rng.next(), pause };
    case 'key': return { kind, key: rng.pick(KEYS), pause };
    case 'edit': {
      const arch = rng.chance(0.3);
      return { kind, r: arch ? -1 : rng.next(), text: rng.pick(arch ? ARCHS : TEXTS), commit: rng.pick(['Enter', 'Tab', 'change']), pause };
    }
    case 'select': return { kind, r: rng.next(), option: rng.next(), pause };
    case 'draw': {
      const strokes = [];
      for (let k = rng.int(1, 3); k > 0; k--) strokes.push([rng.next(), rng.next(), rng.next(), rng.next(), rng.int(1, 8)]);
      return { kind, strokes, pause };
    }
    case 'teach': return { kind, digit: rng.int(0, 9), pause };
    case 'model': return { kind, how: rng.pick(['drop', 'input']), damage: damage(rng, true), pause };
    case 'data': {
      const all = rng.chance(0.6);
      const names = all ? DATA_NAMES : [rng.pick(DATA_NAMES)];
      const hurt = rng.int(0, names.length - 1);
      return { kind, how: rng.pick(['drop', 'input']), files: names.map((name, k) => ({ name, damage: k === hurt ? damage(rng, true) : null })), pause };
    }
    case 'url': return { kind, search: rng.pick(SEARCHES), pause };
    default: return { kind: 'hash', hash: rng.pick(HASHES), pause };
  }
}

const shortText = (s) => JSON.stringify(s.length > 24 ? `${s.slice(0, 20)}…(${s.length})` : s);

function describe(a) {
  const did = (a.did ? ` -> ${a.did}` : '') + (a.ms > 1000 ? ` [${(a.ms / 1000).toFixed(1)} s]` : '');
  const what = {
    control: () => `#${a.id}`,
    click: () => (a.target ? a.target : `r=${a.r.toFixed(3)}`),
    key: () => a.key,
    edit: () => `${a.target || (a.r < 0 ? '#arch' : `r=${a.r.toFixed(3)}`)} = ${shortText(a.text)} + ${a.commit}`,
    select: () => `${a.target || `r=${a.r.toFixed(3)}`} option ${a.option.toFixed(3)}`,
    draw: () => `${a.strokes.length} stroke(s)`,
    teach: () => `digit ${a.digit}`,
    model: () => `${a.how} ${a.damage ? JSON.stringify(a.damage) : 'valid'}`,
    data: () => `${a.how} ${a.files.map((f) => `${f.name}${f.damage ? JSON.stringify(f.damage) : ''}`).join(' ')}`,
    url: () => a.search || '(no query)',
    hash: () => a.hash,
  }[a.kind]();
  return `${a.kind} ${what}${did}`;
}

/* ---- in the page ---- */

/** Runs in the page: the visible, enabled control the action picks (by `r` among all of them,
 *  or by `selector`), scrolled into view. -> { selector, x, y, label } or null */
function locate({ r, selector, pool, exclude }) {
  const pathOf = (e) => {
    if (e.id) return `#${e.id}`;
    const parent = e.parentElement;
    if (!parent) return e.tagName.toLowerCase();
    return `${pathOf(parent)} > ${e.tagName.toLowerCase()}:nth-child(${[...parent.children].indexOf(e) + 1})`;
  };
  const usable = (e) => e && !e.disabled && e.getClientRects().length > 0 && !exclude.some((s) => e.matches(s));
  let e = null;
  if (selector) e = document.querySelector(selector);
  else {
    const all = [...document.querySelectorAll(pool)].filter(usable);
    e = all[Math.floor(r * all.length)] || null;
  }
  if (!usable(e)) return null;
  e.scrollIntoView({ block: 'center' });
  const box = e.getBoundingClientRect();
  return { selector: pathOf(e), x: box.left + box.width / 2, y: box.top + box.height / 2,
    label: (e.getAttribute('aria-label') || e.textContent || e.value || '').trim().slice(0, 30) };
}

const CLICKABLE = 'button, select, input:not([type=file]), summary, textarea, a[href^="#"], [tabindex="0"], [role=gridcell], li[tabindex]';
const EDITABLE = '#setting-fields input:not([type=checkbox]):not([type=radio])';

/** Runs in the page: sets a text field as if typed, and fires input (and change). */
function setField({ selector, text, change }) {
  const e = document.querySelector(selector);
  e.focus();
  e.value = text;
  e.dispatchEvent(new Event('input', { bubbles: true }));
  if (change) e.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Runs in the page: picks an option of a select and fires change, as a user's choice does. */
function setSelect({ selector, option }) {
  const e = document.querySelector(selector);
  const k = Math.floor(option * e.options.length);
  if (!e.options.length) return 'no options yet';
  e.focus();
  e.value = e.options[k].value;
  e.dispatchEvent(new Event('input', { bubbles: true }));
  e.dispatchEvent(new Event('change', { bubbles: true }));
  return e.value;
}

/** Runs in the page: makes the files (bytes given, or fetched beside the page), damages them,
 *  and drops them on the page or gives them to a file input. */
async function deliver({ files, how, input }) {
  const hurt = (bytes, d) => {
    if (!d) return bytes;
    if (d.kind === 'truncate') return bytes.slice(0, Math.floor(d.at * bytes.length));
    if (d.kind === 'empty') return new Uint8Array(0);
    if (d.kind === 'text') return new TextEncoder().encode('These are notes, not a file of the kind. '.repeat(8));
    if (d.kind === 'append') return new Uint8Array([...bytes, ...new Array(d.n).fill(0).map((_, k) => (k * 37) & 255)]);
    const copy = bytes.slice();
    for (const at of d.at) copy[Math.min(copy.length - 1, Math.floor(at * copy.length))] ^= 1 << d.bit;
    return copy;
  };
  const made = [];
  for (const f of files) {
    const bytes = f.base64 ? Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))
      : new Uint8Array(await (await fetch(f.url)).arrayBuffer());
    made.push(new File([hurt(bytes, f.damage)], f.name));
  }
  const dt = new DataTransfer();
  for (const file of made) dt.items.add(file);
  if (how === 'drop') {
    for (const type of ['dragenter', 'dragover', 'drop']) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  } else {
    const e = document.querySelector(input);
    e.files = dt.files;
    e.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

/** Runs in the page: the run's phase, the #status line and its kind. */
function phase() {
  const s = document.querySelector('#status');
  return { state: document.body.getAttribute('data-state'), status: s.textContent.trim(), kind: s.getAttribute('data-kind'),
    loadingData: document.body.hasAttribute('data-loading-data') };
}

async function press(page, key) {
  if (key === 'Shift+Tab') {
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
  } else await page.keyboard.press(key);
}

/* WebDriver BiDi (Firefox) refuses a pointer move outside the viewport: the page's layout
 * can move a control between finding it and the click (a card grows while training). */
const MOVED_AWAY = /out of bounds/;

async function clickAt(page, a, spec) {
  let hit = await page.evaluate(locate, spec);
  if (!hit) { a.did = 'nothing usable'; return; }
  a.target = hit.selector;
  a.did = hit.label ? `"${hit.label}"` : 'clicked';
  for (let tries = 2; ; tries--) {
    try {
      await page.mouse.click(hit.x, hit.y);
      return;
    } catch (error) {
      if (!MOVED_AWAY.test(error.message)) throw error;
      if (tries === 1) { a.did += ', it kept moving away'; return; }
    }
    // it moved: aim again, as a person would, at the same control
    hit = await page.evaluate(locate, { ...spec, selector: hit.selector });
    if (!hit) { a.did += ', then it was gone'; return; }
  }
}

/** A model file dropped or picked: the page must say what became of it, and a refusal must
 *  leave the run as it was (training goes on training, a paused run stays paused). */
async function model(page, a, ctx, n) {
  const name = `monkey-${n}.model`;
  const before = await page.evaluate(phase);
  await page.evaluate(deliver, { files: [{ name, base64: ctx.model, damage: a.damage }], how: a.how, input: '#model-upload' });
  // its fate, in #status and the model card; or the card's word that no data is there to check it against
  const answered = await ctx.wait((file) => ['status', 'model-note'].some((id) => document.getElementById(id).textContent.includes(file)) ||
    /^Load the data first/.test(document.getElementById('model-note').textContent), name, 30000).then(() => true, () => false);
  const after = await page.evaluate(phase);
  const note = await page.evaluate(() => document.getElementById('model-note').textContent);
  a.did = answered ? (note.includes(name) || !after.status.includes(name) ? note : after.status).slice(0, 80) : `no word about ${name} within 30 s`;
  if (!answered) return; // the page may have been busy (loading data): the watchdog judges a hang
  const refused = /^Could not load/.test(note) && note.includes(name);
  const settled = ['training', 'paused', 'done', 'ready'];
  // (new data on its way replaces the run when it is taken: that is not the model's doing)
  if (refused && settled.includes(before.state) && !before.loadingData && !after.loadingData) {
    const same = after.state === before.state || (before.state === 'training' && after.state === 'done');
    if (!same) throw new Error(`a refused model file changed the run: ${before.state} before, ${after.state} after ("${after.status}")`);
  }
}

/** The four data files, one maybe damaged, dropped or picked: when the page refuses them
 *  ("nothing changed"), the run must be as it was. */
async function data(page, a, ctx) {
  const before = await page.evaluate(phase);
  const noteBefore = await page.evaluate(() => document.getElementById('note').textContent);
  const files = a.files.map((f) => ({ name: f.name, url: `${ctx.base}data/mnist/${f.name}`, damage: f.damage }));
  await page.evaluate(deliver, { files, how: a.how, input: '#data-files' });
  // (fewer than the four files: the page names the missing ones and loads nothing)
  if (!a.files.some((f) => f.damage) || a.files.length < 4) return;
  // refused (the note says so), or taken (the run goes), or still at it: the watchdog judges a hang
  const settledOn = await ctx.wait(([was, wasNote]) => {
    const note = document.getElementById('note').textContent;
    if (note !== wasNote && /nothing changed/.test(note)) return 'refused';
    return document.body.getAttribute('data-state') !== was ? 'taken' : false;
  }, [before.state, noteBefore], 30000)
    .then((handle) => handle.jsonValue(), () => 'no word');
  const refused = settledOn === 'refused';
  const after = await page.evaluate(phase);
  a.did = `${settledOn}: ${after.status.slice(0, 80)}`;
  const settled = ['training', 'paused', 'done', 'ready'];
  if (refused && settled.includes(before.state) && !before.loadingData) {
    const same = after.state === before.state || (before.state === 'training' && after.state === 'done');
    if (!same) throw new Error(`refused data files changed the run: ${before.state} before, ${after.state} after ("${after.status}")`);
  }
}

async function perform(page, a, ctx, n) {
  const exclude = ctx.exclude || [];
  switch (a.kind) {
    case 'control': return clickAt(page, a, { selector: `#${a.id}`, exclude });
    case 'click': return clickAt(page, a, a.target ? { selector: a.target, exclude } : { r: a.r, pool: CLICKABLE, exclude });
    case 'key': return press(page, a.key);
    case 'edit': {
      const hit = await page.evaluate(locate, a.target || a.r < 0 ? { selector: a.target || '#arch', exclude } : { r: a.r, pool: EDITABLE, exclude });
      if (!hit) { a.did = 'nothing usable'; return; }
      a.target = hit.selector;
      await page.evaluate(setField, { selector: hit.selector, text: a.text, change: a.commit === 'change' });
      if (a.commit !== 'change') await press(page, a.commit);
      return;
    }
    case 'select': {
      const hit = await page.evaluate(locate, a.target ? { selector: a.target, exclude } : { r: a.r, pool: 'select', exclude });
      if (!hit) { a.did = 'nothing usable'; return; }
      a.target = hit.selector;
      a.did = await page.evaluate(setSelect, { selector: hit.selector, option: a.option });
      return;
    }
    case 'draw': {
      const pad = await page.evaluate(locate, { selector: '#draw-pad', exclude });
      if (!pad) { a.did = 'no pad'; return; }
      const box = await page.evaluate(() => {
        const padElement = document.querySelector('#draw-pad');
        padElement.scrollIntoView({ block: 'center' }); // a pen draws where it can see
        return padElement.getBoundingClientRect().toJSON();
      });
      const at = (x, y) => [box.left + (0.05 + 0.9 * x) * box.width, box.top + (0.05 + 0.9 * y) * box.height];
      for (const [x0, y0, x1, y1, steps] of a.strokes) {
        await page.mouse.move(...at(x0, y0));
        await page.mouse.down();
        await page.mouse.move(...at(x1, y1), { steps });
        await page.mouse.up();
      }
      return;
    }
    case 'teach': return clickAt(page, a, { selector: `#teach-digits > button:nth-child(${a.digit + 1})`, exclude });
    case 'model': return model(page, a, ctx, n);
    case 'data': return data(page, a, ctx);
    case 'url': return page.goto(`${ctx.base}${a.search}`);
    case 'hash': return page.evaluate((hash) => { location.hash = hash; }, a.hash);
    default: throw new Error(`unknown action ${a.kind}`);
  }
}

module.exports = { plan, perform, describe, phase };
