# syntax=docker/dockerfile:1.7
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS base
ENV PIP_NO_CACHE_DIR=1
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends tini
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install uv==0.4.18
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev
COPY src/ ./src/
RUN <<EOF
set -eu
groupadd --gid 1000 app
useradd --uid 1000 --gid app --no-create-home app
chown -R app:app /app
EOF
USER app:app
ENTRYPOINT ["tini", "--"]
CMD ["uv", "run", "python", "-m", "src.main"]
