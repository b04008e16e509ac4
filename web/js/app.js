/* app.js - the composition root (one job: wire the pieces and start; TodoMVC's app.js).
 * Starts the worker (client.js) with the build's worker source and WebAssembly modules
 * (../build/assets.js, made by make), follows the run's state (store.js) with the
 * buttons and the model card (the modules: the default pair, or the relaxed-SIMD pair that
 * ?fma=1 asks for: modules.js), fills the form once the worker's `ready` brings the
 * core's rules, applies the address's settings, and loads the data.
 *
 * The page's entry: esbuild bundles it with everything it imports into build/page.js,
 * one classic script, so that the page also works from file://. It defines no globals.
 */
import * as assets from '../build/assets.js';
import * as Store from './store.js';
import * as Client from './client.js';
import * as Modules from './modules.js';
import * as Controls from './controls.js';
import * as Form from './form.js';
import * as Settings from './settings.js';
import * as DataCard from './data-card.js';
import * as Models from './models.js';
import * as Inside from './inside.js';
import * as Teach from './teach.js';
import * as Run from './run.js';
import * as Loader from './loader.js';
import * as Data from './data.js';
import * as Runs from './runs.js';
import { createChart } from './chart.js';
import { foldOnNarrowScreens } from './fold.js';

function versionText(m, fma) {
  const build = typeof assets.version === 'string' && assets.version ? `Build ${assets.version}`
    : m.version != null ? `Core version ${m.version}` : '';
  const threads = m.threads > 1 ? `${m.threads} threads` : `one thread${Client.hasTester() ? ', tests in a second worker' : ''}`;
  return `${build ? `${build} · ` : ''}WebAssembly SIMD ${m.simd ? 'on' : 'off'}, ${threads}.${fma.text ? ` ${fma.on ? 'Fast path: ' : ''}${fma.text}.` : ''}`;
}

/** The form gets the core's rules, then the address's settings (?preset=seed&lr=0.05...). */
function fillForm(rules, link) {
  Store.set({ rules });
  Form.setRules(rules);
  // the address's settings: the table's keys (a saved model is restored only if it has them)
  link.values = Settings.known(link.values);
  const refused = link.refused.concat(Settings.apply(link.values));
  Settings.init();
  const epochs = Form.peekField('epochs');
  if (epochs) Run.setTarget(epochs);
  if (refused.length) {
    // shown once the data is in (loading clears the note)
    link.note = 'The link asked for settings this page cannot use: ' +
      refused.map((r) => `${r.name} (${r.message})`).join('; ') + '.';
    Controls.setNote(link.note);
  }
}

function boot() {
  foldOnNarrowScreens();
  const chart = createChart(document.getElementById('chart'));
  Store.subscribe((S, changed) => {
    if (!changed.some((k) => k === 'phase' || k === 'recoverable' || k === 'hasNet' || k === 'loadingData')) return;
    Controls.show(S.phase, { recoverable: S.recoverable, loadingData: S.loadingData });
    Models.setCanDownload(S.hasNet && S.phase !== 'loading' && (S.phase !== 'error' || S.recoverable));
  });
  Controls.show('loading', {});
  Run.init(chart);
  Runs.init(chart);
  Inside.init();
  Teach.init();
  Models.init({ clearDisplay: Run.clearDisplay });

  const url = Settings.fromUrl();
  const link = { values: url.values, refused: Settings.applyDataset(url.values), note: '' };
  const q = Data.queryBase();
  if (q) DataCard.setDataUrl(q);

  const modules = Modules.choose(assets, url.values[Modules.FMA_PARAM]);
  link.refused = link.refused.concat(modules.refused);
  let ready;
  try {
    ready = Client.start(modules.bundle, Run.fail);
  } catch (e) {
    Run.fail('init', e.message);
    return;
  }
  ready.then((m) => {
    Controls.setVersion(versionText(m, modules.fma));
    fillForm(m.rules, link);
  }, (e) => {
    Run.fail('init', e.message === Client.MISSING_BUILD ? e.message : `The WebAssembly module could not start: ${e.message}`);
  });
  Loader.init(ready, link);
  Loader.load({ kind: 'url', dataset: DataCard.dataset(), baseUrl: q || DataCard.dataUrl() });
}

boot();
