/* network.js - the network in place and its run id: building one from a config (configure,
 * reset), replacing it by a model file (load-model), saving it (save-model) or exporting it
 * as ONNX (export-onnx), and changing its hyperparameters during a run (set-hyper). A new network cancels the jobs of the old
 * one, starts the run over and shows how it does before any training.
 *
 *   const network = createNetwork(s)   s: the session's record (session.js)
 *   network.configure(m), network.reset(m), network.loadModel(m), network.saveModel(m),
 *   network.exportOnnx(m), network.setHyper(m)   the requests
 *   network.rebuild()                  the same config again, same run id: a new run from the start
 * A configure's `config.target` (a preset's own word: the test accuracy the run watches for,
 * 0 for none) becomes s.target (null: none); a loaded model has none. */

import { failure } from './engine-wasm.js';

/** config.target as s.target: a fraction in (0, 1], or null (none, or 0). */
function targetOf(config) {
  const target = config.target;
  if (target === undefined || target === 0) return null;
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) {
    throw failure(`target: the test accuracy to watch for must be a fraction from 0 to 1 (0: none), not ${JSON.stringify(target)}`, 'target');
  }
  return target;
}

export function createNetwork(s) {
  const engine = s.engine;

  /** The run id a request asks for: its own `run`, or the next one. */
  const nextRun = (m) => (Number.isInteger(m.run) ? m.run : s.run + 1);

  /* A new network is in place (built or loaded): forget the last run, say so,
   * and show how the network does before any training. */
  function startOver(result, config, run, extra, request) {
    s.jobs.cancel('a new network replaced the one it was for');
    s.run = run;
    s.generation++;
    s.awaitingLastTest = false;
    s.config = config;
    s.state = 'idle';
    s.progress = null;
    s.epochStartSamples = 0;
    s.jobs.restart();
    s.training.reset();
    s.figures.reset();
    s.tests.reset();
    s.reply(request, Object.assign({ type: 'configured', arch: result.arch, archText: result.archText, parameters: result.parameters,
      config }, extra));
    s.figures.send();
    s.tests.start('configure'); // (the predictions follow it)
  }

  /** A fresh network from `input` (checked by the core: a bad setting throws naming its field,
   *  and the network in place stays); request: the one `configured` answers. */
  function build(input, run, request = null) {
    const result = engine.init(input);
    startOver(result, result.config, run, {}, request);
  }

  return {
    configure(m) {
      const target = targetOf(m.config);
      build(m.config, nextRun(m), m);
      s.target = target;
    },
    reset(m) { s.requireNetwork(); build(s.config, nextRun(m), m); },
    rebuild() { build(s.config, s.run); },
    setHyper(m) {
      s.requireNetwork();
      const hyper = engine.setHyper(m.hyper || {});
      s.config = Object.assign({}, s.config, hyper);
      s.reply(m, { type: 'hyper', hyper });
    },
    saveModel(m) {
      s.requireNetwork();
      const bytes = engine.saveModel();
      s.reply(m, { type: 'model', bytes, arch: engine.arch(), archText: engine.archText(), testAccuracy: s.tests.last ? s.tests.last.testAccuracy : null,
        taught: engine.taughtCount() }, [bytes.buffer]);
    },
    exportOnnx(m) {
      s.requireNetwork();
      // the last test of the network in place (null: untested), as the CLI's export --data measures it
      const testAccuracy = s.tests.last ? s.tests.last.testAccuracy : null;
      const bytes = engine.exportOnnx({ testAccuracy });
      s.reply(m, { type: 'onnx', bytes, archText: engine.archText(), testAccuracy }, [bytes.buffer]);
    },
    loadModel(m) {
      // the loaded network trains on from here with the hyperparameters in force; a file the
      // core refuses changes nothing (a run in progress goes on)
      const wasRunning = s.training.running();
      const result = engine.loadModel(new Uint8Array(m.bytes));
      if (wasRunning) s.training.pause(); // (the replaced network's last report and `paused`)
      // with no network before it, the rest of the settings are the core's default preset's
      const config = Object.assign({}, engine.rules.presets.default, s.config, engine.hyper, { arch: result.archText });
      engine.presetWords.forEach((k) => delete config[k]);
      s.target = null;
      startOver(result, config, nextRun(m), { loaded: true }, m);
    },
  };
}
