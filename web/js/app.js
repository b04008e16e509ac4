/* app.js - the composition root (one job: wire the pieces and start; TodoMVC's app.js).
 * Starts the worker (MnistClient), follows the run's state (MnistStore) with the
 * buttons and the model card, fills the form once the worker's `ready` brings the
 * core's rules, applies the address's settings, and loads the data.
 *
 * Public: window.MnistApp = { state(), worker() } for debugging and tests.
 */
(function () {
  'use strict';

  var Store = window.MnistStore;
  var Client = window.MnistClient;
  var Controls = window.MnistControls;
  var Form = window.MnistForm;
  var Settings = window.MnistSettings;
  var DataCard = window.MnistDataCard;
  var Models = window.MnistModels;
  var Inside = window.MnistInside;
  var Teach = window.MnistTeach;
  var Run = window.MnistRun;
  var Loader = window.MnistLoader;
  var Data = window.MnistData;

  function versionText(bundle, m) {
    var v = typeof bundle.version === 'string' && bundle.version ? 'Build ' + bundle.version
      : m.version != null ? 'Core version ' + m.version : '';
    var threads = m.threads > 1 ? m.threads + ' threads' : 'one thread' + (Client.tester() ? ', tests in a second worker' : '');
    return (v ? v + ' · ' : '') + 'WebAssembly SIMD ' + (m.simd ? 'on' : 'off') + ', ' + threads + '.';
  }

  /** The form gets the core's rules, then the address's settings (?preset=seed&lr=0.05...). */
  function fillForm(rules, link) {
    Form.setRules(rules);
    var refused = link.refused.concat(Settings.apply(link.values));
    Settings.init();
    var epochs = Form.peekField('epochs');
    if (epochs) Run.setTarget(epochs);
    if (refused.length) {
      // shown once the data is in (loading clears the note)
      link.note = 'The link asked for settings this page cannot use: ' +
        refused.map(function (r) { return r.name + ' (' + r.message + ')'; }).join('; ') + '.';
      Controls.setNote(link.note);
    }
  }

  function boot() {
    var chart = window.MnistChart.create(document.getElementById('chart'));
    Store.subscribe(function (S, changed) {
      if (!changed.some(function (k) { return k === 'phase' || k === 'recoverable' || k === 'hasNet'; })) return;
      Controls.show(S.phase, { recoverable: S.recoverable });
      Models.setCanDownload(S.hasNet && S.phase !== 'loading' && (S.phase !== 'error' || S.recoverable));
    });
    Controls.show('loading', {});
    Run.init(chart);
    Inside.init();
    Teach.init();
    Models.init({ clearDisplay: Run.clearDisplay });

    var url = Settings.fromUrl();
    var link = { values: url.values, refused: Settings.applyDataset(url.values), note: '' };
    var q = Data.queryBase();
    if (q) DataCard.setDataUrl(q);

    var bundle = self.MNIST_BUNDLE;
    var ready;
    try {
      ready = Client.start(bundle, Run.fail);
    } catch (e) {
      Run.fail('init', e.message);
      return;
    }
    ready.then(function (m) {
      Controls.setVersion(versionText(bundle, m));
      fillForm(m.rules, link);
    }, function (e) {
      Run.fail('init', e.message === Client.MISSING_BUILD ? e.message : 'The WebAssembly module could not start: ' + e.message);
    });
    Loader.init(ready, link);
    Loader.load({ kind: 'url', dataset: DataCard.dataset(), baseUrl: q || DataCard.dataUrl() });
  }

  window.MnistApp = {
    state: function () { return Store.get().phase; },
    worker: function () { return Client.worker(); }
  };

  boot();
})();
