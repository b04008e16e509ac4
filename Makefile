# mnist-wasm: `make` builds the native trainer; `make test` runs every test.
# Determinism across builds: no -ffast-math and no FMA contraction, so each
# float operation rounds exactly as written (the later WASM build uses the same flags).

CC       ?= gcc
CFLAGS   ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math -MMD -MP
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1

CORE_SRC := src/net.c src/layers.c src/fmath.c src/rng.c src/idx.c src/model.c
CLI_SRC  := src/cli.c
CHECK_SRC := tests/native/core_check.c

BUILD := build
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/asan/obj/%.o)

.PHONY: all native test-bins data train test deps deps-quiet clean help

all: native

native: deps-quiet $(BUILD)/mnist

help:
	@echo "make            build the native trainer (build/mnist)"
	@echo "make data       fetch MNIST and Fashion-MNIST into data/ (DATA_MIRROR=DIR copies a local mirror)"
	@echo "make train      install what is missing, build, fetch data, train the default preset"
	@echo "make test       run every test (node tests/run.js)"
	@echo "make test-bins  the test harness and AddressSanitizer+UBSan builds the tests use"
	@echo "make deps       install build dependencies (Debian/Ubuntu) or say what to install"
	@echo "make clean      remove build/"

$(BUILD)/mnist: $(CORE_OBJ) $(BUILD)/obj/src/cli.o
	$(CC) $(CFLAGS) -o $@ $^ -lz -lm

$(BUILD)/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Test binaries: the harness (tests/native/core_check.c) natively and, with the
# CLI, under AddressSanitizer + UndefinedBehaviorSanitizer.
test-bins: deps-quiet $(BUILD)/mnist $(BUILD)/core_check $(BUILD)/asan/mnist $(BUILD)/asan/core_check

$(BUILD)/core_check: $(CORE_OBJ) $(BUILD)/obj/tests/native/core_check.o
	$(CC) $(CFLAGS) -o $@ $^ -lm

$(BUILD)/asan/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<

$(BUILD)/asan/mnist: $(ASAN_CORE_OBJ) $(BUILD)/asan/obj/src/cli.o
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ -lz -lm

$(BUILD)/asan/core_check: $(ASAN_CORE_OBJ) $(BUILD)/asan/obj/tests/native/core_check.o
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ -lm

data: deps-quiet
	node scripts/fetch-data.js

deps:
	@bash scripts/install-deps.sh

# Checked before every build: installs (or names) what is missing, else silent.
deps-quiet:
	@bash scripts/install-deps.sh --quiet

train: native data
	$(BUILD)/mnist train --data data/mnist --preset default

test: deps-quiet
	node tests/run.js

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
