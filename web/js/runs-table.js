/* runs-table.js - the runs table (one job: the kept runs as rows of #runs-table, and what the
 * user does there: sort by a column, tick a run onto the chart, rename it inline, delete it,
 * open its link). It keeps no runs: runs.js gives it the rows and acts on what it reports.
 *
 * Sorting: the column headers Test accuracy, Time and When are buttons (aria-sort on the
 * header says the order); pressing one again reverses it.
 *
 * Exports:
 *   init({onTick(id, on), onRename(id, name) -> Promise, onDelete(id)})
 *   render(rows)   rows = [{id, name, dataset, summary, state, figures, threads, startedAt,
 *                  href, color (when ticked, else null), kept (false: the browser refused it),
 *                  live (the run training now)}]; the control that had the focus keeps it
 *   sorted(rows) -> the rows in the table's current order (the exports follow it)
 */
import * as Dom from './dom.js';
import * as fmt from './format.js';
import { checkName, NAME_MAX } from './runs-store.js';

const $ = Dom.$, el = Dom.el;

const SORTS = {
  accuracy: (r) => (typeof r.figures.testAccuracy === 'number' ? r.figures.testAccuracy : -1),
  time: (r) => (typeof r.figures.elapsed === 'number' ? r.figures.elapsed : -1),
  when: (r) => r.startedAt
};
const STATES = { training: 'left while training', paused: 'paused', done: 'done', diverged: 'diverged', stopped: 'stopped' };

let sort = { key: 'when', descending: true };
let handlers = {};
let editing = null; // the id of the row whose name is being edited
let draft = '';     // the name as typed there so far (a render while typing keeps it)
let lastRows = [];

export function sorted(rows) {
  const key = SORTS[sort.key];
  const sign = sort.descending ? -1 : 1;
  return rows.slice().sort((a, b) => sign * (key(a) - key(b)) || b.startedAt - a.startedAt);
}

function showSort() {
  document.querySelectorAll('#runs-table th[data-sort]').forEach((th) => {
    const on = th.dataset.sort === sort.key;
    if (on) th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  });
}

function stateText(r) {
  return (r.live && r.state === 'training' ? 'training now' : STATES[r.state] || r.state) + (r.kept ? '' : ' (not kept: storage full)');
}

function when(ms) {
  const d = new Date(ms);
  return isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function tickCell(r) {
  const td = el('td', 'run-tick');
  const box = el('input');
  box.type = 'checkbox';
  box.id = `run-tick-${r.id}`;
  box.checked = !!r.color;
  box.dataset.run = r.id;
  const label = el('label', 'run-tick-label');
  label.htmlFor = box.id;
  const swatch = el('span', 'run-swatch');
  swatch.setAttribute('aria-hidden', 'true');
  if (r.color) swatch.style.background = r.color;
  label.append(swatch, el('span', 'sr-only', `Show ${r.name} on the chart`));
  box.addEventListener('change', () => handlers.onTick(r.id, box.checked));
  td.append(box, label);
  return td;
}

function nameEditor(r, td) {
  const form = el('form', 'run-rename');
  const input = el('input');
  input.type = 'text';
  input.maxLength = NAME_MAX;
  input.value = draft;
  input.addEventListener('input', () => { draft = input.value; });
  input.id = `run-name-${r.id}`;
  input.setAttribute('aria-label', `New name for ${r.name}`);
  const error = el('span', 'run-rename-error');
  error.id = `run-name-error-${r.id}`;
  error.setAttribute('aria-live', 'polite');
  input.setAttribute('aria-describedby', error.id);
  const save = el('button', 'btn small', 'Save');
  save.type = 'submit';
  save.dataset.action = 'rename-save';
  const cancel = el('button', 'btn small', 'Cancel');
  cancel.type = 'button';
  cancel.dataset.action = 'rename-cancel';
  const done = () => { editing = null; render(lastRows); focusRow(r.id, 'rename'); };
  cancel.addEventListener('click', done);
  input.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); done(); } });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const checked = checkName(input.value);
    if (checked.message) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = checked.message;
      input.focus();
      return;
    }
    handlers.onRename(r.id, checked.name).then(done, (err) => { error.textContent = err.message; });
  });
  form.append(input, save, cancel, error);
  td.append(form);
}

function button(text, label, action, onClick) {
  const b = el('button', 'btn small', text);
  b.type = 'button';
  b.dataset.action = action;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

function actionsCell(r) {
  const td = el('td');
  const box = el('div', 'run-actions');
  td.append(box);
  const open = el('a', 'btn small', 'Open');
  open.href = r.href;
  open.dataset.action = 'open';
  open.setAttribute('aria-label', `Open ${r.name}: its settings, to train it again`);
  box.append(open,
    button('Rename', `Rename ${r.name}`, 'rename', () => {
      editing = r.id;
      draft = r.name;
      render(lastRows);
      const input = $(`run-name-${r.id}`);
      input.focus();
      input.select();
    }),
    button('Delete', `Delete ${r.name}`, 'delete', () => handlers.onDelete(r.id)));
  return td;
}

function row(r) {
  const tr = el('tr');
  tr.dataset.run = r.id;
  tr.dataset.state = r.state;
  const f = r.figures;
  const nameCell = el('th', 'run-name');
  nameCell.scope = 'row';
  if (editing === r.id) nameEditor(r, nameCell);
  else nameCell.append(el('span', 'run-name-text', r.name), el('span', 'run-state', stateText(r)), el('span', 'run-summary', r.summary));
  tr.append(tickCell(r), nameCell,
    el('td', 'num', fmt.percent(f.testAccuracy)),
    el('td', 'num', fmt.fixed(f.loss, 4)),
    el('td', 'num', fmt.fixed(f.epochs, 2)),
    el('td', 'num', fmt.int(f.samplesPerSecond)),
    el('td', 'num', typeof f.elapsed === 'number' ? fmt.duration(f.elapsed) : '—'),
    el('td', 'num', fmt.int(r.threads)),
    el('td', 'run-when', when(r.startedAt)),
    actionsCell(r));
  ['testAccuracy', 'elapsed', 'epochs'].forEach((k) => { if (typeof f[k] === 'number') tr.dataset[k] = String(f[k]); });
  return tr;
}

function focusRow(id, action) {
  const b = document.querySelector(`#runs-table tr[data-run="${id}"] [data-action="${action}"]`);
  if (b) b.focus();
}

/** Where the focus is in the table's body, to put it back on the same control after a render. */
function focusKey() {
  const a = document.activeElement;
  const tr = a && a.closest && a.closest('#runs-table tbody tr');
  if (!tr) return null;
  return { id: a.id, run: tr.dataset.run, action: a.dataset.action, caret: a.selectionStart };
}

function restoreFocus(k) {
  if (!k) return;
  const e = k.id ? $(k.id) : k.action ? document.querySelector(`#runs-table tr[data-run="${k.run}"] [data-action="${k.action}"]`) : null;
  if (!e) return;
  e.focus();
  if (typeof k.caret === 'number' && e.setSelectionRange) e.setSelectionRange(k.caret, k.caret);
}

export function render(rows) {
  lastRows = rows;
  if (editing && !rows.some((r) => r.id === editing)) editing = null;
  const k = focusKey();
  Dom.fill($('runs-table').tBodies[0], sorted(rows).map(row));
  // (its scrolling box too: an empty one would be a tab stop with nothing to show)
  $('runs-table').hidden = !rows.length;
  $('runs-table').parentElement.hidden = !rows.length;
  $('runs-empty').hidden = !!rows.length;
  showSort();
  restoreFocus(k);
}

export function init(h) {
  handlers = h;
  document.querySelectorAll('#runs-table th[data-sort] button').forEach((b) => {
    b.addEventListener('click', () => {
      const key = b.closest('th').dataset.sort;
      sort = { key, descending: sort.key === key ? !sort.descending : true };
      render(lastRows);
    });
  });
  showSort();
}
