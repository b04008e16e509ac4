/* check.h - the commands of the core's test harness (core_check.c) that
 * live in files of their own. */
#ifndef CHECK_H
#define CHECK_H

#include "../../src/core/nn.h"

/* core_check gradcheck [--perturb X]: one JSON line of results. */
int cmd_gradcheck(int argc, char **argv);

#endif
