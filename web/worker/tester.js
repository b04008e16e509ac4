/* tester.js - testing in the background: a second worker (the tester) that
 * evaluates snapshots of the network on the test set while the training
 * worker trains on. Both ends of their channel live here.
 *
 * Why: without threads (a page that is not cross-origin isolated, e.g. opened
 * from file://) the training worker keeps one core busy and the other is
 * idle, while a CNN's test evaluation (10,000 images) costs as much as ~5,000
 * training samples. The page then starts a tester beside the training worker
 * and hands each one end of a MessageChannel (PROTOCOL.md "The tester").
 *
 *   serve(engine, port)                 in the tester: answers the jobs on `port`
 *   const tester = connect(port, onResult(job, result, seconds), onFailure(jobs, error))
 *   tester.usable(), tester.idle, tester.loadTestSet(images, labels), tester.test(job, modelBytes),
 *   tester.abandon(why)
 *
 * The channel: trainer -> tester {type: 'load', images, labels} (the test set's IDX
 * bytes as the page sent them, gzipped or not, transferred), {type: 'test', model} (a model file, transferred);
 * tester -> trainer {type: 'ready'}, {type: 'tested', result: {count, correct,
 * accuracy, loss, confusion}, seconds}, {type: 'failed', message}. Tests are
 * answered in order; after a failure the tester is not used again. The results are the same bits as testing in the training
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
        // for a CNN, whose network holds ~84 MB of scratch, two of them at once, every test.
        // The smallest network (the seed preset's, 784-10-10) stands in between.
        if (engine.hyper) engine.init(engine.rules.presets.seed);
        engine.loadModel(new Uint8Array(m.model));
        const result = engine.evaluate('test');
        port.postMessage({ type: 'tested', result, seconds: (now() - t0) / 1000 });
      }
    } catch (error) {
      port.postMessage({ type: 'failed', message: error.message || String(error) });
    }
  });
  port.postMessage({ type: 'ready' });
}

/** The training worker's side. onResult(job, result, seconds) for each job tested, in
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
      onResult(pending.shift(), m.result, m.seconds);
    } else if (m.type === 'failed') {
      tester.abandon(m.message);
    }
  });
  return tester;
}
