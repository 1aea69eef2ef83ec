# medcite service image: embedded defaults (MiniLM text, EfficientNet-Lite0 image, knowledge/ guidelines).
#
# The default index (the shipped guidelines in knowledge/) is built at image build time, so a container
# answers as soon as it starts. Datasets are not baked in: mount them, then run
# `medcite index build --defaults` in the container (with MEDCITE_SHARED_DIR pointing at them) or upload
# documents with POST /v1/documents; the running service serves each new index version as soon as it is
# written. Keep /var/lib/medcite/indexes on a volume to keep those additions.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    OMP_WAIT_POLICY=PASSIVE \
    MEDCITE_INDEX_DIR=/var/lib/medcite/indexes \
    MEDCITE_CALIBRATION_FILE=/var/lib/medcite/indexes/k-calibration.json

# A non-editable install: the code and knowledge/ (package data) live in site-packages, the sources go.
COPY pyproject.toml README.md /src/
COPY rag /src/rag
COPY service /src/service
COPY eval /src/eval
COPY bench /src/bench
COPY medcite /src/medcite
COPY knowledge /src/knowledge
# CPU wheels of the pinned torch pair keep the image small; the pins match pyproject.toml.
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu "/src[service]" \
    && rm -rf /src \
    && useradd --system --create-home medcite \
    && mkdir -p /var/lib/medcite/indexes && chown -R medcite /var/lib/medcite

USER medcite
WORKDIR /var/lib/medcite
RUN medcite index build --no-progress

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# MEDCITE_WORKERS sets the worker processes (default: one per core); MEDCITE_API_KEYS turns auth on; MEDCITE_REDIS_URL adds cache and limits.
CMD ["sh", "-c", "exec medcite serve --host 0.0.0.0 --port 8000 --workers \"${MEDCITE_WORKERS:-$(nproc)}\""]
