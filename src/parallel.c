/* parallel.c - the thread pool behind nn_parallel (see parallel.h).
 *
 * Threaded build (WebAssembly with atomics): the calling thread publishes a
 * task and bumps a generation counter; helper threads, parked in
 * wasm_helper_loop, run their slice and count down `remaining`. Waiting spins
 * briefly before sleeping (memory.atomic.wait), because a batch of the
 * default network takes well under a millisecond and a sleep/wake round
 * trip costs tens of microseconds. The pool is the module's own global state:
 * one trainer per WebAssembly instance. */
#include "parallel.h"

void nn_split(int n, int part, int parts, int align, int *lo, int *hi) {
    int chunk = (n + parts - 1) / parts;
    chunk = (chunk + align - 1) / align * align;
    *lo = part * chunk < n ? part * chunk : n;
    *hi = *lo + chunk < n ? *lo + chunk : n;
}

#if defined(__wasm__) && defined(__wasm_atomics__)

#include <stdatomic.h>

#define EXPORT __attribute__((used, visibility("default")))
#define SPINS 20000

static struct {
    _Atomic int generation; /* bumped once per task */
    _Atomic int remaining;  /* helpers still working on the task */
    nn_task task;
    void *arg;
    int helpers;            /* helper threads parked in wasm_helper_loop */
} pool;

/* Spins, then sleeps, until *word differs from `value`; returns the new value. */
static int wait_while(_Atomic int *word, int value) {
    int now;
    for (int spins = 0; (now = atomic_load_explicit(word, memory_order_acquire)) == value; spins++)
        if (spins >= SPINS) __builtin_wasm_memory_atomic_wait32((int *)word, value, -1);
    return now;
}

/* The JavaScript side calls this once every helper is parked. */
EXPORT void wasm_set_helpers(int helpers) { pool.helpers = helpers; }
EXPORT int wasm_threads(void) { return pool.helpers + 1; }

/* A helper thread's whole life: run slice `id` of every task. Never returns. */
EXPORT void wasm_helper_loop(int id) {
    int seen = atomic_load(&pool.generation);
    for (;;) {
        seen = wait_while(&pool.generation, seen);
        pool.task(pool.arg, id, pool.helpers + 1);
        if (atomic_fetch_sub_explicit(&pool.remaining, 1, memory_order_acq_rel) == 1)
            __builtin_wasm_memory_atomic_notify((int *)&pool.remaining, 1);
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
    atomic_store_explicit(&pool.remaining, helpers, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    __builtin_wasm_memory_atomic_notify((int *)&pool.generation, (unsigned)helpers);
    task(arg, 0, helpers + 1);
    for (int left = atomic_load_explicit(&pool.remaining, memory_order_acquire); left != 0;)
        left = wait_while(&pool.remaining, left);
}

#else

void nn_parallel(nn_task task, void *arg) { task(arg, 0, 1); }

#endif
