# Confidant's container image. Built by `docker compose build` (compose.yaml); never built in this project's CI,
# which has no Docker engine: tests/test_deploy.py checks this file statically.
#
# Two stages: the first installs Confidant into a virtualenv, the second copies only that virtualenv into a
# clean image, so no build tool, pip cache or source tree ships. The program runs as an unprivileged user, on a
# read-only root filesystem (compose.yaml sets read_only): everything it writes goes to /data, a volume.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY migrations ./migrations
RUN python -m venv /opt/confidant && /opt/confidant/bin/pip install . \
    && /opt/confidant/bin/python -m compileall -q /opt/confidant

FROM ${PYTHON_IMAGE}
# No .pyc is written at run time (the root filesystem is read-only; the build compiled them), output is not
# buffered (logs reach `docker compose logs` at once), and the data folder is the volume.
ENV PATH=/opt/confidant/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CONFIDANT_DATA_DIR=/data
RUN groupadd --system --gid 10001 confidant \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin confidant \
    && mkdir /data && chown 10001:10001 /data && chmod 0700 /data
COPY --from=build /opt/confidant /opt/confidant
# An empty working folder: Confidant reads `.env` and `confidant.toml` from here, and none ships in the image.
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
# `confidant health` asks the running `confidant run` (CONFIDANT_HTTP_ADDR, default 127.0.0.1:9090) for /readyz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["confidant", "health"]
ENTRYPOINT ["confidant"]
CMD ["run"]
