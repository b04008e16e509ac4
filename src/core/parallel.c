/* parallel.c - the thread pool behind nn_parallel (see parallel.h).
 *
 * Threaded build (WebAssembly with atomics): a task is cut into more slices
 * than there are threads, and every thread, the caller included, claims
 * slices one at a time until none are left. So a helper that the operating
 * system has put aside (the page is drawing, another tab is busy) costs at
 * most the one slice it holds, instead of stalling every task; with both
 * cores free, the work splits evenly.
 *
 * `next` packs the task's generation (high bits) and the next unclaimed
 * slice (low 16 bits) in one atomic word: a claim is a compare-and-swap on
 * it, so a thread can only claim a slice of the task it saw published, and
 * reads that task's fields after the claim. Waiting spins before sleeping
 * (memory.atomic.wait), because a batch of the default network takes well
 * under a millisecond and a sleep/wake round trip costs tens of
 * microseconds. The pool is the module's one global state (one trainer per
 * WebAssembly instance); src/wasm/exports.c hands its controls to JavaScript. */
#include "parallel.h"

void nn_split(int n, int part, int parts, int align, int *lo, int *hi) {
    int chunk = (n + parts - 1) / parts;
    chunk = (chunk + align - 1) / align * align;
    *lo = part * chunk < n ? part * chunk : n;
    *hi = *lo + chunk < n ? *lo + chunk : n;
}

#if defined(__wasm__) && defined(__wasm_atomics__)

#include <stdatomic.h>

#define SPINS 500000        /* a few hundred microseconds of polling before sleeping */
#define SLICES_PER_THREAD 4
#define SLICE_BITS 16

static struct {
    _Atomic unsigned next;  /* generation << SLICE_BITS | next unclaimed slice */
    _Atomic int done;       /* slices finished in the current task */
    nn_task task;
    void *arg;
    int slices;
    unsigned generation;
    int helpers;            /* helper threads parked in nn_pool_helper_loop */
} pool;

/* Spins, then sleeps, until *word differs from `value`; returns the new value. */
static unsigned wait_while(_Atomic unsigned *word, unsigned value) {
    unsigned now;
    for (int spins = 0; (now = atomic_load_explicit(word, memory_order_acquire)) == value; spins++)
        if (spins >= SPINS) __builtin_wasm_memory_atomic_wait32((int *)word, (int)value, -1);
    return now;
}

/* Claims and runs slices of the task published as `seen` until none are left.
 * Returns the last value of `next` it saw (to wait on). */
static unsigned run_slices(unsigned seen) {
    for (;;) {
        int slice = (int)(seen & ((1u << SLICE_BITS) - 1));
        if (slice >= pool.slices) return seen;
        if (!atomic_compare_exchange_weak_explicit(&pool.next, &seen, seen + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue; /* `seen` now holds the current value: try again */
        int slices = pool.slices; /* this task's: published before `next` */
        if (slice < slices) {
            pool.task(pool.arg, slice, slices);
            if (atomic_fetch_add_explicit(&pool.done, 1, memory_order_acq_rel) + 1 == slices)
                __builtin_wasm_memory_atomic_notify((int *)&pool.done, 1);
        }
        seen += 1;
    }
}

void nn_pool_set_helpers(int helpers) { pool.helpers = helpers; }
int nn_pool_threads(void) { return pool.helpers + 1; }

void nn_pool_helper_loop(void) {
    unsigned seen = atomic_load_explicit(&pool.next, memory_order_acquire);
    for (;;) {
        seen = run_slices(seen);
        seen = wait_while(&pool.next, seen);
    }
}

void nn_parallel(nn_task task, void *arg) {
    int helpers = pool.helpers;
    if (helpers == 0) {
        task(arg, 0, 1);
        return;
    }
    pool.task = task;
    pool.arg = arg;
    pool.slices = SLICES_PER_THREAD * (helpers + 1);
    atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
    pool.generation = (pool.generation + 1) & ((1u << (32 - SLICE_BITS)) - 1);
    unsigned published = pool.generation << SLICE_BITS;
    atomic_store_explicit(&pool.next, published, memory_order_release);
    __builtin_wasm_memory_atomic_notify((int *)&pool.next, (unsigned)helpers);
    run_slices(published);
    for (int done; (done = atomic_load_explicit(&pool.done, memory_order_acquire)) != pool.slices;) {
        int spins = 0;
        while (atomic_load_explicit(&pool.done, memory_order_acquire) == done && ++spins < SPINS) {}
        if (spins >= SPINS) __builtin_wasm_memory_atomic_wait32((int *)&pool.done, done, -1);
    }
}

#else

void nn_parallel(nn_task task, void *arg) { task(arg, 0, 1); }
void nn_pool_set_helpers(int helpers) { (void)helpers; }
int nn_pool_threads(void) { return 1; }

#endif
