/* check.h - the commands of the core's test harness (core_check.c) that
 * live in files of their own. */
#ifndef CHECK_H
#define CHECK_H

#include "../../src/core/nn.h"

/* core_check gradcheck [--perturb X]: one JSON line of results. */
int cmd_gradcheck(int argc, char **argv);

/* adamcheck.c: core_check adam-step / onecycle (-1 for another command). */
int cmd_optimizer(const char *cmd, int argc, char **argv);
/* n random images and labels drawn from seed (a synthetic training set). */
void synthetic_set(uint8_t *pixels, uint8_t *labels, long n, uint64_t seed);

#endif
