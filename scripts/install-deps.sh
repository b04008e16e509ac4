#!/usr/bin/env bash
# Installs what building mnist-wasm needs (compilers, emscripten, Node.js and npm: the
# Makefile runs `npm ci` for esbuild, the page's bundler) and, with --tests, what its tests need
# too (with --bench, what `make bench` needs): the one list of the system
# packages the project uses. Only what is missing
# is installed, with apt-get (Debian or Ubuntu) as root or through a sudo that
# asks no password; otherwise it prints the exact command to run and exits 1.
#
#   scripts/install-deps.sh [--quiet] [--tests] [--bench] [--fuzz] [--relaxed]
#     --quiet   say nothing when everything is there (make runs it before every build)
#     --tests   also Chromium and Firefox ESR (tests/run.js and .ci/run use this),
#               and what --fuzz and --relaxed install (the tests run both)
#     --relaxed clang-19 and lld-19, which emcc drives for the relaxed-SIMD modules
#               (`make wasm-relaxed`: emscripten's own clang 14 has no relaxed SIMD)
#     --fuzz    clang and its libFuzzer runtime (libclang-rt-N-dev): `make fuzz`
#     --bench   also time(1), Chromium, and PyTorch for Debian's own Python 3
#               (python3-torch, imported by /usr/bin/python3: the CNN peer of `make bench`)
#
# INSTALL_DEPS_AS_USER=1 makes it act as an unprivileged user without sudo, so that
# the "run this command" path can be tried on a machine where one is root.
set -euo pipefail

quiet=false
tests=false
bench=false
fuzz=false
relaxed=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --tests) tests=true ;;
    --bench) bench=true ;;
    --fuzz) fuzz=true ;;
    --relaxed) relaxed=true ;;
    *) echo "install-deps: unknown option $arg (usage: install-deps.sh [--quiet] [--tests] [--bench] [--fuzz] [--relaxed])" >&2; exit 2 ;;
  esac
done

missing=()     # Debian package names
have() { command -v "$1" >/dev/null 2>&1; }

have cc || have gcc || missing+=(gcc)
have make || missing+=(make)
have emcc || missing+=(emscripten)   # the WebAssembly build
if have cc && ! echo '#include <zlib.h>' | cc -E -x c - >/dev/null 2>&1; then
  missing+=(zlib1g-dev)
elif ! have cc; then
  missing+=(zlib1g-dev libc6-dev)
fi
if ! have node; then
  missing+=(nodejs)
elif ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  # 20.19: require() of an ES module (the tests and scripts load common/ and web/ so)
  echo "install-deps: Node.js $(node --version) is too old; version 20.19 or newer is needed" >&2
  exit 1
fi
have npm || missing+=(npm)                                              # npm ci: esbuild, the browser drivers
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)  # HTTPS for npm and the data
if $tests; then
  # The paths the browser tests launch (tests/browser-helpers.js and the Firefox tests).
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
  [ -x "${FIREFOX:-/usr/bin/firefox-esr}" ] || missing+=(firefox-esr)
fi
if $tests || $fuzz; then
  # fuzz/ (make fuzz, tests/fuzz.test.js): clang -fsanitize=fuzzer needs the runtime of
  # clang's own version; libclang-rt-dev is the one of Debian's default clang.
  if ! have clang; then
    missing+=(clang libclang-rt-dev)
  elif ! compgen -G "$(clang -print-resource-dir)/lib/*/libclang_rt.fuzzer-*.a" >/dev/null; then
    missing+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
  fi
fi
if $tests || $relaxed; then
  # the Makefile's RELAXED_LLVM: emcc finds /usr/bin/clang-19, wasm-ld-19, llvm-ar-19 ...
  have clang-19 || missing+=(clang-19)
  have wasm-ld-19 || missing+=(lld-19)
fi
if $bench; then
  [ -x /usr/bin/time ] || missing+=(time)                               # peak RSS of the native runs
  $tests || [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)  # the page-chromium rows
  # The PyTorch peer runs with Debian's interpreter, not whichever python3 is first on PATH.
  { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; } || missing+=(python3-torch)
fi

if [ ${#missing[@]} -eq 0 ]; then
  $quiet || echo "install-deps: everything needed is installed (C compiler, make, zlib headers, emscripten, Node.js, npm$($tests && echo ', Chromium, Firefox ESR')$($tests || $fuzz && echo ', clang with libFuzzer')$($tests || $relaxed && echo ', clang-19 and lld-19')$($bench && echo ', time, PyTorch for /usr/bin/python3'))"
  exit 0
fi

apt=(apt-get install -y --no-install-recommends "${missing[@]}")
if have apt-get; then
  can=false sudo=()
  if [ "${INSTALL_DEPS_AS_USER:-}" != 1 ]; then
    if [ "$(id -u)" -eq 0 ]; then can=true; elif have sudo && sudo -n true 2>/dev/null; then can=true sudo=(sudo); fi
  fi
  if $can; then
    echo "install-deps: installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}"
    exit 0
  fi
  cat >&2 <<MSG
install-deps: missing: ${missing[*]}
Installing them needs root. Run this, then the same command again:
  sudo apt-get update && sudo ${apt[*]}
MSG
  exit 1
fi

cat >&2 <<MSG
install-deps: missing: ${missing[*]} (Debian package names)
Install them with your package manager, then run the same command again:
  Fedora:         sudo dnf install gcc make zlib-devel nodejs npm emscripten chromium firefox
  macOS:          xcode-select --install; brew install node emscripten   (zlib ships with the SDK)
  elsewhere:      emscripten from https://emscripten.org/docs/getting_started/downloads.html
MSG
exit 1
