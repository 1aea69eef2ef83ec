# medcite service image: embedded defaults (MiniLM text, EfficientNet-Lite0 image, knowledge/ guidelines).
# Datasets are not baked in; mount them and set MEDCITE_SHARED_DIR to index them at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    MEDCITE_INDEX_DIR=/var/lib/medcite/indexes

WORKDIR /app
COPY pyproject.toml README.md ./
COPY rag ./rag
COPY service ./service
COPY eval ./eval
COPY knowledge ./knowledge
# CPU wheels of the pinned torch pair keep the image small; the pins match pyproject.toml.
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu ".[openclip]" \
    && useradd --system --create-home medcite \
    && mkdir -p /var/lib/medcite/indexes && chown -R medcite /var/lib/medcite
USER medcite
RUN medcite index build --no-progress
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["medcite", "serve", "--host", "0.0.0.0", "--port", "8000"]
