#!/usr/bin/env bash
# Installs what building and testing mnist-wasm needs, where it can (Debian or
# Ubuntu, as root or with sudo); elsewhere prints exactly what to install.
# Only what is missing is installed. Every build target of the Makefile runs
# it first (with --quiet), so `make` works on a fresh machine.
set -euo pipefail

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
elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  echo "install-deps: Node.js $(node --version) is too old; version 18 or newer is needed" >&2
  exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  # quiet when run from make on every build; `make deps` asks for a word
  [ "${1:-}" = "--quiet" ] || echo "install-deps: everything needed is installed (C compiler, make, zlib headers, Node.js)"
  exit 0
fi

if have apt-get; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif have sudo; then sudo=(sudo); else sudo=(); fi
  if [ "$(id -u)" -eq 0 ] || [ ${#sudo[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    exit 0
  fi
fi

cat >&2 <<MSG
install-deps: missing: ${missing[*]}
Install them with your package manager, then run make again:
  Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  Fedora:         sudo dnf install gcc make zlib-devel nodejs emscripten
  macOS:          xcode-select --install; brew install node emscripten   (zlib ships with the SDK)
  elsewhere:      emscripten from https://emscripten.org/docs/getting_started/downloads.html
MSG
exit 1
