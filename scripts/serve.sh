#!/usr/bin/env bash
# Fresh machine to running service: install, build the default index, train the answerer, serve on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/medcite index build --defaults
# The learned image-question answerer on VQA-RAD's train split (skipped when up to date or when the dataset is absent).
.venv/bin/medcite train answerer
# One worker process per core: stage is pure-Python CPU work and retrieve batches per process (bench/bench_service.py).
exec .venv/bin/medcite serve --host "${MEDCITE_HOST:-127.0.0.1}" --port "${MEDCITE_PORT:-8000}" \
  --workers "${MEDCITE_WORKERS:-$(nproc)}"
