/* parallel.h - run a kernel's independent slices on several threads.
 *
 * A task computes slice `part` of `parts` of some outputs (rows of a matrix,
 * say); every output is computed by exactly one slice with the same
 * arithmetic in the same order, so the results are the same bits whatever
 * the number of threads. The threaded build is the WebAssembly module made
 * with -matomics and shared memory (web/build/mnist-mt.wasm), whose helper
 * threads are Web Workers started by web/worker/engine-threads.js; every other build runs
 * the one slice 0 of 1 on the calling thread. */
#ifndef PARALLEL_H
#define PARALLEL_H

typedef void (*nn_task)(void *arg, int part, int parts);

/* Runs task(arg, p, parts) for p = 0 .. parts-1 (parts = threads available)
 * and returns when all have finished. */
void nn_parallel(nn_task task, void *arg);

/* The pool's controls (threaded build; elsewhere one thread, and no loop).
 * The JavaScript side sets the helpers once every one of them is parked in
 * nn_pool_helper_loop, a helper thread's whole life (it never returns). */
void nn_pool_set_helpers(int helpers);
int nn_pool_threads(void);
void nn_pool_helper_loop(void);

/* [*lo, *hi): slice `part` of `parts` of n items, cut at multiples of align. */
void nn_split(int n, int part, int parts, int align, int *lo, int *hi);

#endif
