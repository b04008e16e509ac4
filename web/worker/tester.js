/* tester.js - testing in the background: a second worker (the tester) that
 * evaluates snapshots of the network on the test set while the training
 * worker trains on. Both ends of their channel live here, and the page's relay
 * between them.
 *
 * Why: without threads (a page that is not cross-origin isolated, e.g. opened
 * from file://) the training worker keeps one core busy and the other is
 * idle, while a CNN's test evaluation (10,000 images) costs as much as ~5,000
 * training samples. The page then starts a tester beside the training worker
 * and hands each one end of a MessageChannel (PROTOCOL.md "The tester").
 * The page sits between the two ends (relay): a tester's WebAssembly memory never
 * shrinks (a CNN's network and the test set: tens of MB), so the page starts a tester
 * when a run's first test comes and ends it when the run is done; the next test
 * starts another, which gets the test set the page keeps (as sent: 1.6 MB gzipped).
 *
 *   serve(engine, port)                 in the tester: answers the jobs on `port`
 *   const tester = connect(port, onResult(job, result, seconds), onFailure(jobs, error))
 *   tester.usable(), tester.idle, tester.loadTestSet(images, labels), tester.test(job, modelBytes),
 *   tester.abandon(why)
 *   const r = relay(launch)             on the page; launch(port, lost(message)) starts a tester
 *                                       worker serving `port` and returns it (or null)
 *   r.port (the training worker's end: transfer it in its init), r.stop() (ends the tester
 *   once it owes no test), r.running()
 *
 * The channel: trainer -> tester {type: 'load', images, labels} (the test set's IDX
 * bytes as the page sent them, gzipped or not, transferred), {type: 'test', model} (a model file, transferred);
 * tester -> trainer {type: 'ready'}, {type: 'tested', result: {count, correct,
 * accuracy, loss, confusion}, images: {predicted, confidence} (each test image's class and
 * probability), seconds}, {type: 'failed', message}. Tests are
 * answered in order; after a failure the tester is not used again. (The relay says
 * `ready` at once and holds the tests until its tester runs.) The results are the same bits as testing in the training
 * worker: the same core on the same parameters.
 */

const now = () => performance.now();

/** Receives the messages of a MessagePort (a browser's or Node's). */
function listen(port, handler) {
  port.addEventListener('message', (e) => handler(e.data));
  port.start();
}

/** The tester's side: loads the test set, tests each model it is sent. */
export function serve(engine, port) {
  listen(port, (m) => {
    try {
      if (m.type === 'load') {
        engine.loadSet('test', new Uint8Array(m.images), new Uint8Array(m.labels));
      } else if (m.type === 'test') {
        const t0 = now();
        // The core builds the model's network beside the one in place, then drops that one:
        // for a CNN, whose network holds up to 16 MiB of scratch (net.c), two of them at once, every test.
        // The smallest network (the seed preset's, 784-10-10) stands in between.
        if (engine.hyper) engine.init(engine.rules.presets.seed);
        engine.loadModel(new Uint8Array(m.model));
        const result = engine.evaluate('test', 0, engine.count('test'), { images: true });
        const images = engine.evaluatedImages('test');
        port.postMessage({ type: 'tested', result, images, seconds: (now() - t0) / 1000 },
          [images.predicted.buffer, images.confidence.buffer]);
      }
    } catch (error) {
      port.postMessage({ type: 'failed', message: error.message || String(error) });
    }
  });
  port.postMessage({ type: 'ready' });
}

/** The training worker's side. onResult(job, result, seconds, images) for each job tested, in
 *  order; onFailure(jobs, error) once if the tester fails, with the jobs it left. */
export function connect(port, onResult, onFailure) {
  const pending = []; // jobs sent, oldest first
  const tester = {
    ready: false,  // the tester has its module
    failed: false, // and has not failed
    get idle() { return pending.length === 0; },
    loadTestSet(images, labels) {
      port.postMessage({ type: 'load', images, labels }, [images, labels]);
    },
    /** job: any object (it comes back with the result); model: a model file's bytes. */
    test(job, model) {
      pending.push(job);
      port.postMessage({ type: 'test', model }, [model.buffer]);
    },
    usable() { return tester.ready && !tester.failed; },
    /** Gives up on the tester (e.g. it stopped answering): onFailure gets the jobs it owes. */
    abandon(message) {
      if (tester.failed) return;
      tester.failed = true;
      onFailure(pending.splice(0), new Error(message));
    },
  };
  listen(port, (m) => {
    if (m.type === 'ready') {
      tester.ready = true;
    } else if (m.type === 'tested' && pending.length) {
      onResult(pending.shift(), m.result, m.seconds, m.images || null);
    } else if (m.type === 'failed') {
      tester.abandon(m.message);
    }
  });
  return tester;
}

/** An ArrayBuffer's or a view's bytes, copied into a buffer of their own. */
const copy = (b) => (b instanceof ArrayBuffer ? b.slice(0) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer);

/** The page's side: relays the training worker's tests to a tester worker that runs only
 *  while they come (see the header). launch(port, lost) starts one serving `port` (lost(message):
 *  the worker failed) and returns it, a Worker (or null if it cannot start). */
export function relay(launch) {
  const channel = new MessageChannel();
  const trainer = channel.port1; // (port2 goes to the training worker)
  let worker = null, port = null;
  let owed = 0;         // tests sent to the tester that runs, not answered yet
  let stopping = false; // end it once it owes none
  let testSet = null;   // the last test set the training worker sent, as sent
  let failed = false;   // a tester failed: the training worker tests by itself from then on

  function end() {
    if (worker) worker.terminate();
    if (port) port.close();
    worker = port = null;
    owed = 0;
    stopping = false;
  }
  function fail(message) {
    if (failed) return;
    failed = true;
    end();
    trainer.postMessage({ type: 'failed', message });
  }
  function sendTestSet() {
    const images = copy(testSet.images), labels = copy(testSet.labels);
    port.postMessage({ type: 'load', images, labels }, [images, labels]);
  }
  function start() {
    const own = new MessageChannel();
    const started = launch(own.port2, fail);
    if (!started) return false;
    worker = started;
    port = own.port1;
    listen(port, (m) => {
      if (m.type === 'tested') {
        owed--;
        trainer.postMessage(m);
        if (stopping && owed === 0) end();
      } else if (m.type === 'failed') {
        fail(m.message);
      } // ready: the training worker heard it from here at once
    });
    if (testSet) sendTestSet();
    return true;
  }
  listen(trainer, (m) => {
    if (failed) return;
    if (m.type === 'load') {
      testSet = { images: m.images, labels: m.labels };
      if (port) sendTestSet();
    } else if (m.type === 'test') {
      if (!port && !start()) { fail('the tester worker could not start'); return; }
      stopping = false;
      owed++;
      port.postMessage(m, [m.model.buffer || m.model]);
    }
  });
  trainer.postMessage({ type: 'ready' });
  return {
    port: channel.port2,
    stop() {
      stopping = true;
      if (owed === 0) end();
    },
    running: () => worker !== null,
  };
}
