/* jobs.js - the session's work in slices: the queue of jobs (passes over the test set, a
 * step's batch), the requests that wait for them, and the loop that runs one slice at a
 * time (the oldest job, else the oldest waiting request, else a slice of training) with
 * the messages already queued answered in between, so that pause gets through within
 * 100 ms whatever the network's size.
 *
 *   const jobs = createJobs(s)   s: the session's record (session.js); uses s.post, s.fail,
 *                                s.answer(m), s.training.running() and s.training.slice()
 *   jobs.add(job, total, work(first, count), finish())   work on items 0..total-1 in slices
 *   jobs.drop(why) -> the jobs dropped      jobs.cancel(why): drops the waiting requests too
 *   jobs.wait(m)     a request that waits for the jobs underway (protocol.js WAITING)
 *   jobs.busy, jobs.has(kind), jobs.schedule(), jobs.restart() (a new network: fresh pacing)
 *   jobs.waits(types)  a request of one of these types is waiting
 * A job that answers a request holds it (job.request: the message); a dropped job or request
 * that owes a reply gets its error through s.fail(request, error). */

export const SLICE_MS = 40;              // target length of one training or evaluation slice
export const FIRST_SLICE = 8;            // samples or test images in a new network's first slice (the largest
                                         // networks take ~10 ms a sample; the next slices size themselves from it)
const JOB_PROGRESS_AFTER_MS = 500;       // a pass over the test set longer than this reports how far it is
const TESTING_EVERY_MS = 200;            // and says so at most this often
const now = () => performance.now();

// Runs the next slice after the messages already queued (pause must get
// through): a MessageChannel task in browsers (setTimeout would add its 4 ms
// clamp to every slice); setImmediate in Node, whose MessagePort drains its
// own queue before anything else.
const defer = typeof setImmediate === 'function' ? setImmediate : (() => {
  const channel = new MessageChannel();
  let callback = null;
  channel.port1.onmessage = () => callback();
  return (fn) => { callback = fn; channel.port2.postMessage(null); };
})();

export function createJobs(s) {
  let jobs = [];              // work in slices before training, oldest first
  let waiting = [];           // requests waiting for the jobs to end, oldest first
  let passChunk = FIRST_SLICE; // test images per call in a pass, adapted so a call takes about SLICE_MS / 2
  let scheduled = false;

  function add(job, total, work, finish) {
    jobs.push(Object.assign(job, { total, work, finish, first: 0, ms: 0, startedAt: now(), reportedAt: now() }));
    schedule();
  }

  /** Drops every job; one that answers a request gets `why` as its error. Returns them. */
  function drop(why) {
    const dropped = jobs;
    jobs = [];
    dropped.filter((job) => job.request).forEach((job) => s.fail(job.request, new Error(`cancelled: ${why}`)));
    return dropped;
  }

  /** Drops every job and waiting request, each with `why` as its error if it owes a reply. */
  function cancel(why) {
    drop(why);
    waiting.splice(0).forEach((m) => s.fail(m, new Error(`cancelled: ${why}`)));
  }

  /** Runs the oldest job for about budgetMs; finishes it when its pass is complete. */
  function advance(budgetMs) {
    const job = jobs[0], total = job.total;
    const t0 = now();
    while (job.first < total && now() - t0 < budgetMs) {
      const count = Math.min(passChunk, total - job.first);
      const c0 = now();
      job.work(job.first, count);
      const ms = now() - c0;
      job.first += count;
      passChunk = Math.max(1, Math.min(10000, Math.round(count * (SLICE_MS / 2) / Math.max(ms, 0.5))));
    }
    job.ms += now() - t0;
    if (job.first < total) {
      if (job.kind !== 'predictions' && now() - job.startedAt >= JOB_PROGRESS_AFTER_MS && now() - job.reportedAt >= TESTING_EVERY_MS) {
        job.reportedAt = now();
        s.post({ type: 'testing', kind: job.kind, reason: job.reason || job.request.type, done: job.first, total });
      }
      return;
    }
    jobs.shift();
    job.finish();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    defer(runSlice);
  }

  /** One slice of work: the oldest job, else the oldest waiting request, else training. */
  function runSlice() {
    scheduled = false;
    const t0 = now();
    const wasTraining = s.training.running();
    if (wasTraining) s.figures.beginSlice(t0);
    if (jobs.length) {
      const job = jobs[0];
      try {
        advance(SLICE_MS);
      } catch (error) { // (the core refused: a bug, or out of memory)
        if (jobs.includes(job)) jobs.splice(jobs.indexOf(job), 1);
        if (job.request) s.fail(job.request, error); else s.training.stopOnError(error);
      }
    } else if (waiting.length) {
      const m = waiting.shift();
      try { s.answer(m); } catch (error) { s.fail(m, error); }
    } else if (wasTraining) {
      s.training.slice();
    }
    if (wasTraining) s.figures.afterSlice(t0);
    if (jobs.length || waiting.length || s.training.running()) schedule();
  }

  return {
    add,
    drop,
    cancel,
    schedule,
    wait(m) { waiting.push(m); schedule(); },
    has: (kind) => jobs.some((job) => job.kind === kind),
    waits: (types) => waiting.some((m) => types.includes(m.type)),
    get busy() { return jobs.length > 0 || waiting.length > 0; },
    get idle() { return jobs.length === 0; },
    restart() { passChunk = FIRST_SLICE; },
  };
}
