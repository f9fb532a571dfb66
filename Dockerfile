# syntax=docker/dockerfile:1
# Two images from one file. The default (last) target is the bot alone; the `sandbox`
# target adds the emulators and the web page, for `docker compose --profile sandbox`.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels/bot .
COPY sandbox ./sandbox
RUN pip wheel --wheel-dir /wheels/sandbox --find-links /wheels/bot ./sandbox

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot
COPY --from=build /wheels/bot /wheels/bot
RUN pip install --no-index --find-links /wheels/bot b24-workday-bot && rm -rf /wheels
WORKDIR /home/bot
ENTRYPOINT ["python", "-m", "bot"]

FROM base AS sandbox
COPY --from=build /wheels/sandbox /wheels/sandbox
RUN pip install --no-index --find-links /wheels/sandbox b24-workday-sandbox && rm -rf /wheels
USER bot
EXPOSE 8080
CMD ["sandbox", "--host", "0.0.0.0"]

FROM base AS bot
USER bot
EXPOSE 8080 8088
# /healthz on BOT_HEALTH_PORT (both modes): Redis reachable and, when polling, the
# polling loop alive. The slim image has no curl; urlopen fails on a 503 as well.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BOT_HEALTH_PORT', '8088'), timeout=4)"]
