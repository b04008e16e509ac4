# mnist-wasm: `make` builds the native trainer and the WebAssembly module;
# `make serve` runs the in-browser trainer; `make test` runs every test.
# Determinism across builds: no -ffast-math and no FMA contraction, so each
# float operation rounds exactly as written (the later WASM build uses the same flags).

CC       ?= gcc
CFLAGS   ?= -O2
CFLAGS   += -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math -MMD -MP
# Hot loops start on a 32-byte boundary: otherwise the kernels' inner loops land
# wherever the link order puts them, which moved the native headline by 12%.
CFLAGS   += -falign-loops=32
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1

# The core (the library behind src/mnist.h) and its two adapters, found by folder.
CORE_SRC := $(wildcard src/core/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
HEADERS  := $(wildcard src/*.h src/*/*.h)
CHECK_SRC := $(wildcard tests/native/*.c)

# Debian's emcc needs its node modules (acorn) on NODE_PATH.
EMCC     ?= emcc
EMCC_ENV := NODE_PATH=$(if $(NODE_PATH),$(NODE_PATH):)/usr/share/nodejs
EMFLAGS  := -O3 -msimd128 -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math \
            --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1
WASM_SRC := $(CORE_SRC) $(wildcard src/wasm/*.c)
# The threaded variant: atomics and a shared memory imported from JavaScript,
# whose helper threads are Web Workers (web/worker/engine-threads.js). Its
# memory limits are declared here only: the engine reads them from the
# module's import section when it creates that memory.
MT_FLAGS := -matomics -mbulk-memory -sIMPORTED_MEMORY=1 -Wl,--shared-memory \
            -sINITIAL_MEMORY=16777216 -sMAXIMUM_MEMORY=1073741824
WASM     := web/build/mnist.wasm
WASM_MT  := web/build/mnist-mt.wasm
BUNDLE   := web/build/bundle.js

BUILD := build
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/asan/obj/%.o)
ASAN_CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/asan/obj/%.o)
CHECK_OBJ := $(CHECK_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_CHECK_OBJ := $(CHECK_SRC:%.c=$(BUILD)/asan/obj/%.o)

.PHONY: all native wasm test-bins data train serve dist test deps deps-quiet clean help bench

all: native wasm

native: deps-quiet $(BUILD)/mnist

help:
	@echo "make            build the native trainer (build/mnist) and the WebAssembly module (web/build/)"
	@echo "make serve      build, fetch data, and serve the in-browser trainer on http://127.0.0.1:8000/ (PORT=...)"
	@echo "make dist       a self-contained static site in build/dist/ (works from any host or from disk)"
	@echo "make data       fetch MNIST and Fashion-MNIST into data/ (DATA_MIRROR=DIR copies a local mirror)"
	@echo "make train      install what is missing, build, fetch data, train the default preset"
	@echo "make test       run every test (node tests/run.js)"
	@echo "make test-bins  the test harness and AddressSanitizer+UBSan builds the tests use"
	@echo "make bench      speed: one epoch of dense nets vs plain C loops, TensorFlow.js, ConvNetJS; a 2-epoch CNN vs PyTorch; the page in Chromium to 97% (default) and 99% (cnn) (BENCH_QUICK=1, BENCH_IMPLS=..., BENCH_NETS=...)"
	@echo "make deps       install build dependencies (Debian/Ubuntu) or say what to install"
	@echo "make clean      remove build/"

$(BUILD)/mnist: $(CORE_OBJ) $(CLI_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -lz -lm

$(BUILD)/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The WebAssembly module (the same core sources, plus the exports in src/wasm/)
# and the bundle the page loads: worker source + module, one classic script.
wasm: deps-quiet $(BUNDLE)

$(WASM): $(WASM_SRC) $(HEADERS) | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) -sMAXIMUM_MEMORY=2147483648 -o $@ $(WASM_SRC)

$(WASM_MT): $(WASM_SRC) $(HEADERS) | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) $(MT_FLAGS) -o $@ $(WASM_SRC)

$(BUNDLE): $(WASM) $(WASM_MT) $(wildcard web/worker/*.js) scripts/build-bundle.js
	node scripts/build-bundle.js $(WASM) $(WASM_MT) $@

# Test binaries: the harness (tests/native/*.c) natively and, with the
# CLI, under AddressSanitizer + UndefinedBehaviorSanitizer.
test-bins: deps-quiet $(BUILD)/mnist $(BUILD)/core_check $(BUILD)/asan/mnist $(BUILD)/asan/core_check

$(BUILD)/core_check: $(CORE_OBJ) $(CHECK_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -lm

$(BUILD)/asan/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANITIZE) -c -o $@ $<

$(BUILD)/asan/mnist: $(ASAN_CORE_OBJ) $(ASAN_CLI_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ -lz -lm

$(BUILD)/asan/core_check: $(ASAN_CORE_OBJ) $(ASAN_CHECK_OBJ)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ -lm

# Fetch and verify the datasets, then write the script-loadable copies that a
# page opened from file:// loads (data/*/*.gz.js).
data: deps-quiet
	node scripts/fetch-data.js
	node scripts/embed-data.js

serve: all data
	node scripts/serve.js

dist: all data
	node scripts/make-dist.js build/dist

deps:
	@bash scripts/install-deps.sh

# Checked before every build: installs (or names) what is missing, else silent.
deps-quiet:
	@bash scripts/install-deps.sh --quiet

train: native data
	$(BUILD)/mnist train --data data/mnist --preset default

test: deps-quiet
	node tests/run.js

# `make bench` (scripts/bench.js): the peers (TensorFlow.js, ConvNetJS) are a
# separate npm project in bench/, installed only here, and PyTorch is Debian's
# python3-torch for /usr/bin/python3 (install-deps.sh --bench); the straightforward C
# baseline (bench/naive.c) is built for WASM with EMFLAGS and natively with gcc -O3.
bench: all data $(BUILD)/bench/naive.wasm $(BUILD)/bench/naive
	@bash scripts/install-deps.sh --quiet --bench
	@test bench/node_modules/.package-lock.json -nt bench/package-lock.json || npm ci --prefix bench --no-audit --no-fund
	@test -d node_modules/playwright-core || npm ci --no-audit --no-fund
	node scripts/bench.js

$(BUILD)/bench/naive.wasm: bench/naive.c | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) -o $@ $<

$(BUILD)/bench/naive: bench/naive.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) -O3 -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math -o $@ $< -lz -lm

clean:
	rm -rf $(BUILD) web/build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
