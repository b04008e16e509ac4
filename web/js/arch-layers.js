/* arch-layers.js - the layer list under the layer field (one job: show the core's
 * description of a layer text, mnist_arch_describe, one row per token: its output shape,
 * kind and parameters; the row where the core found the fault marked with the core's
 * sentence, the rows after it unchecked).
 *
 * Exports:
 *   showLayers(d)    d: the `arch-description` message, with d.text the text it describes;
 *                    fills #arch-layers (data-arch, data-state ok|bad) and #arch-total
 */
import { $, el, fill, setText } from './dom.js';
import * as fmt from './format.js';

function shapeText(ly) {
  return ly.h != null ? `${ly.h}×${ly.w}×${ly.c}` : fmt.int(ly.size);
}

function layerWords(ly) {
  if (ly.kind === 'input') return 'input image';
  if (ly.kind === 'conv') {
    return `convolution ${ly.kernel}×${ly.kernel}${ly.pad ? ` pad ${ly.pad}` : ''}, ${ly.filters}` +
      `${ly.filters === 1 ? ' filter' : ' filters'}, ReLU`;
  }
  if (ly.kind === 'pool') return `max-pool ${ly.kernel}×${ly.kernel}`;
  return ly.activation === 'softmax' ? 'dense, softmax (the classes)' : 'dense, ReLU';
}

function row(d, k) {
  const ly = d.layers[k];
  const li = el('li', 'arch-layer');
  li.setAttribute('data-index', String(k));
  const token = k < d.tokens.length ? d.tokens[k] : '';
  li.appendChild(el('code', 'arch-token', token || '…'));
  if (ly && (d.ok || k < d.at)) {
    li.setAttribute('data-kind', ly.kind);
    li.appendChild(el('span', 'arch-shape', shapeText(ly)));
    li.appendChild(el('span', 'arch-kind', layerWords(ly)));
    li.appendChild(el('span', 'arch-params', ly.params ? `${fmt.int(ly.params)} params` : ''));
  } else if (!d.ok && k === d.at) {
    li.classList.add('is-bad');
    li.setAttribute('aria-invalid', 'true');
    li.appendChild(el('span', 'arch-message', k < d.tokens.length ? d.message : `missing here: ${d.message}`));
  } else {
    li.classList.add('is-unchecked');
    li.appendChild(el('span', 'arch-kind', 'not checked'));
  }
  return li;
}

export function showLayers(d) {
  const list = $('arch-layers');
  if (!list) return;
  const count = Math.max(d.tokens.length, d.ok ? 0 : d.at + 1);
  fill(list, Array.from({ length: count }, (_, k) => row(d, k)));
  list.setAttribute('data-arch', d.text);
  list.setAttribute('data-state', d.ok ? 'ok' : 'bad');
  setText('arch-total', d.ok ? `Total: ${fmt.int(d.params)} parameters.` : 'This network cannot be built.');
}
