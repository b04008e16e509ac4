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
# Binaryen inlines every function that has one caller, whatever its size: the kernels
# then all sit inside one giant function per pass (forward_slice, ...), where V8's
# optimising compiler runs out of registers and spills the kernels' accumulators on
# every iteration (measured: 1.2x slower on the cnn net). A kernel stays a function of
# its own unless it is small. Bulk memory (in every browser with SIMD128): memset and
# memcpy become single instructions instead of calls into the module's libc.
EMFLAGS  := -O3 -msimd128 -mbulk-memory -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math \
            --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 \
            -sBINARYEN_EXTRA_PASSES=--one-caller-inline-max-function-size=100
WASM_SRC := $(CORE_SRC) $(wildcard src/wasm/*.c)
# The threaded variant: atomics and a shared memory imported from JavaScript,
# whose helper threads are Web Workers (web/worker/engine-threads.js). Its
# memory limits are declared here only: the engine reads them from the
# module's import section when it creates that memory.
MT_FLAGS := -matomics -mbulk-memory -sIMPORTED_MEMORY=1 -Wl,--shared-memory \
            -sINITIAL_MEMORY=16777216 -sMAXIMUM_MEMORY=1073741824
WASM     := web/build/mnist.wasm
WASM_MT  := web/build/mnist-mt.wasm
# The optional relaxed-SIMD pair (`make wasm-relaxed`, docs/performance.md): the same
# sources with simd.h's madd4 as f32x4.relaxed_madd (fused where the CPU has FMA: other
# bits), which the page runs only when asked (?fma=1) and the browser validates them.
# Emscripten 3.1.6's clang 14 has no relaxed SIMD, so emcc drives Debian's clang-19 and
# wasm-ld-19 (scripts/install-deps.sh --relaxed) and npm's Binaryen (toolchain/: Debian's
# 108 cannot read the final opcodes); EMCC_READ_METADATA=python and WASM_BIGINT leave
# Binaryen 108's wasm-emscripten-finalize nothing to do, so it never reads the module.
# Once built they are kept current (and bundled) until `make clean`.
WASM_RX    := web/build/mnist-relaxed.wasm
WASM_RX_MT := web/build/mnist-relaxed-mt.wasm
RELAXED_SIMD ?= $(if $(wildcard $(WASM_RX)),1)
RELAXED_LLVM := 19
RELAXED_BINARYEN := toolchain/node_modules/.package-lock.json
RELAXED_ENV := $(EMCC_ENV) EM_LLVM_ROOT=/usr/bin EM_LLVM_ADD_VERSION=$(RELAXED_LLVM) \
               EM_CLANG_ADD_VERSION=$(RELAXED_LLVM) EMCC_SKIP_SANITY_CHECK=1 EMCC_READ_METADATA=python \
               PATH="$(CURDIR)/toolchain/node_modules/binaryen/bin:$$PATH"
RELAXED_FLAGS := -mrelaxed-simd -DMNIST_RELAXED_SIMD -sWASM_BIGINT
# Inside the page's bundle when RELAXED_SIMD=1; the stamp records which pair the bundle
# has, so that a change of RELAXED_SIMD rebuilds it.
BUNDLED_RX := $(if $(RELAXED_SIMD),$(WASM_RX) $(WASM_RX_MT))
BUNDLE_STAMP := web/build/bundle-modules.txt
$(shell mkdir -p web/build && { echo '$(BUNDLED_RX)' | cmp -s - $(BUNDLE_STAMP) || echo '$(BUNDLED_RX)' > $(BUNDLE_STAMP); })
# The page's two bundles (scripts/build-web.js: esbuild, one classic script per context)
# and the generated module between them (scripts/build-bundle.js): the worker's bundle
# and both WebAssembly modules, which the page's bundle imports.
WORKER_JS := web/build/worker.js
ASSETS    := web/build/assets.js
PAGE_JS   := web/build/page.js
COMMON_JS := $(wildcard common/*.js) common/package.json
# npm ci records what it installed here; esbuild (package.json) is needed to build.
NODE_MODULES := node_modules/.package-lock.json

BUILD := build
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/asan/obj/%.o)
ASAN_CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/asan/obj/%.o)
CHECK_OBJ := $(CHECK_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_CHECK_OBJ := $(CHECK_SRC:%.c=$(BUILD)/asan/obj/%.o)

.PHONY: all native wasm wasm-relaxed relaxed-deps test-bins data train serve dist test deps deps-quiet clean help bench fuzz fuzz-bins fuzz-deps fuzz-page

all: native wasm

native: deps-quiet $(BUILD)/mnist

help:
	@echo "make            build the native trainer (build/mnist) and the WebAssembly module (web/build/)"
	@echo "make wasm-relaxed  also the optional relaxed-SIMD modules (fused multiply-add, ?fma=1 in the page; needs clang-19, lld-19)"
	@echo "make serve      build, fetch data, and serve the in-browser trainer on http://127.0.0.1:8000/ (PORT=...)"
	@echo "make dist       a self-contained static site in build/dist/ (works from any host or from disk)"
	@echo "make data       fetch MNIST and Fashion-MNIST into data/ (DATA_MIRROR=DIR copies a local mirror)"
	@echo "make train      install what is missing, build, fetch data, train the default preset"
	@echo "make test       run every test (node tests/run.js)"
	@echo "make test-bins  the test harness and AddressSanitizer+UBSan builds the tests use"
	@echo "make bench      speed: one epoch of dense nets vs plain C loops, TensorFlow.js, ConvNetJS; a 2-epoch CNN vs PyTorch; the page in Chromium to 97% (default) and 99% (cnn); the tab's memory while it trains (BENCH_QUICK=1, BENCH_IMPLS=..., BENCH_NETS=...)"
	@echo "make fuzz       run each libFuzzer harness of the parsers (fuzz/) for FUZZ_SECONDS (default $(FUZZ_SECONDS)); prints executions and crashes with their reproducers; then fuzz-page"
	@echo "make fuzz-page  the page's seeded monkey test on MONKEY_SEEDS (default $(MONKEY_SEEDS)), MONKEY_ACTIONS random actions each"
	@echo "make deps       install build dependencies (Debian/Ubuntu) or say what to install"
	@echo "make clean      remove build/"

$(BUILD)/mnist: $(CORE_OBJ) $(CLI_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -lz -lm

$(BUILD)/obj/%.o: %.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The WebAssembly module (the same core sources, plus the exports in src/wasm/)
# and the page's bundle, with the worker's and the modules inside.
wasm: deps-quiet $(PAGE_JS)

$(WASM): $(WASM_SRC) $(HEADERS) Makefile | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) -sMAXIMUM_MEMORY=2147483648 -o $@ $(WASM_SRC)

$(WASM_MT): $(WASM_SRC) $(HEADERS) Makefile | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) $(MT_FLAGS) -o $@ $(WASM_SRC)

wasm-relaxed:
	@$(MAKE) --no-print-directory RELAXED_SIMD=1 wasm

relaxed-deps: deps-quiet
	@bash scripts/install-deps.sh --quiet --relaxed

$(RELAXED_BINARYEN): toolchain/package-lock.json | deps-quiet
	npm ci --prefix toolchain --no-audit --no-fund
	@touch $@

$(WASM_RX): $(WASM_SRC) $(HEADERS) Makefile $(RELAXED_BINARYEN) | relaxed-deps
	@mkdir -p $(dir $@)
	$(RELAXED_ENV) $(EMCC) $(EMFLAGS) $(RELAXED_FLAGS) -sMAXIMUM_MEMORY=2147483648 -o $@ $(WASM_SRC)

$(WASM_RX_MT): $(WASM_SRC) $(HEADERS) Makefile $(RELAXED_BINARYEN) | relaxed-deps
	@mkdir -p $(dir $@)
	$(RELAXED_ENV) $(EMCC) $(EMFLAGS) $(RELAXED_FLAGS) $(MT_FLAGS) -o $@ $(WASM_SRC)

# (ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node, a test dependency, would otherwise fetch
# GPU runtimes it does not need; its CPU runtime is in its package)
$(NODE_MODULES): package-lock.json | deps-quiet
	ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
	@touch $@

$(WORKER_JS): $(wildcard web/worker/*.js) web/package.json $(COMMON_JS) scripts/build-web.js $(NODE_MODULES)
	node scripts/build-web.js worker $@

$(ASSETS): $(WASM) $(WASM_MT) $(WORKER_JS) scripts/build-bundle.js $(BUNDLED_RX) $(BUNDLE_STAMP)
	node scripts/build-bundle.js $(WASM) $(WASM_MT) $(WORKER_JS) $@ $(BUNDLED_RX)

$(PAGE_JS): $(ASSETS) $(wildcard web/js/*.js) web/package.json $(COMMON_JS) scripts/build-web.js $(NODE_MODULES)
	node scripts/build-web.js page $@

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

# Fuzzing (fuzz/README.md): every harness fuzz/NAME.c (a file defining
# LLVMFuzzerTestOneInput) is built with clang and libFuzzer, AddressSanitizer and
# UBSan into build/fuzz/NAME; `make fuzz` runs each for FUZZ_SECONDS. Rule: a parser
# added to the core (anything reading bytes from outside) gets its harness here in
# the same change; tests/fuzz.test.js checks that every harness runs.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math -g -O1 \
                -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_NAMES   := $(basename $(notdir $(shell grep -l LLVMFuzzerTestOneInput fuzz/*.c)))
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
.SECONDARY: $(FUZZ_CORE_OBJ)

fuzz-bins: fuzz-deps $(FUZZ_NAMES:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/seeds/model.made

fuzz-deps: deps-quiet
	@bash scripts/install-deps.sh --quiet --fuzz

fuzz: fuzz-bins
	@echo "fuzz: $(words $(FUZZ_NAMES)) harnesses, $(FUZZ_SECONDS) s each: $(FUZZ_NAMES)"
	@bash fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
	@$(MAKE) --no-print-directory fuzz-page

# The page's monkey (tests/monkey.test.js) on more seeds than the suite's: MONKEY_SEEDS
# (Chromium), MONKEY_ACTIONS each. A failure prints its seed and action log.
MONKEY_SEEDS   ?= 11,12,13,14,15,16
MONKEY_ACTIONS ?= 300
fuzz-page:
	MONKEY_SEEDS=$(MONKEY_SEEDS) MONKEY_ACTIONS=$(MONKEY_ACTIONS) node tests/run.js monkey

$(BUILD)/fuzz/obj/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_CORE_OBJ) $(wildcard fuzz/*.h) | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_CORE_OBJ) -lz -lm

# The model seeds, written by the core's own writer (fuzz/make_seeds.c).
$(BUILD)/fuzz/make_seeds: fuzz/make_seeds.c $(CORE_OBJ) $(wildcard fuzz/*.h)
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) -lz -lm

$(BUILD)/fuzz/seeds/model.made: $(BUILD)/fuzz/make_seeds
	@rm -rf $(BUILD)/fuzz/seeds/model && mkdir -p $(BUILD)/fuzz/seeds/model
	$< $(BUILD)/fuzz/seeds/model
	@touch $@

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

# `make bench` (bench/run.js; it writes build/bench.jsonl and docs/benchmarks.md): the
# peers (TensorFlow.js, ConvNetJS) are a separate npm project in bench/, installed only
# here, and PyTorch is Debian's python3-torch for /usr/bin/python3 (install-deps.sh
# --bench); the straightforward C baseline (bench/naive.c) is built for WASM with
# EMFLAGS and natively with gcc -O3.
bench: all data $(NODE_MODULES) $(BUILD)/bench/naive.wasm $(BUILD)/bench/naive
	@bash scripts/install-deps.sh --quiet --bench
	@test bench/node_modules/.package-lock.json -nt bench/package-lock.json || npm ci --prefix bench --no-audit --no-fund
	node bench/run.js

$(BUILD)/bench/naive.wasm: bench/naive.c | deps-quiet
	@mkdir -p $(dir $@)
	$(EMCC_ENV) $(EMCC) $(EMFLAGS) -o $@ $<

$(BUILD)/bench/naive: bench/naive.c | deps-quiet
	@mkdir -p $(dir $@)
	$(CC) -O3 -std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-fast-math -o $@ $< -lz -lm

clean:
	rm -rf $(BUILD) web/build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
