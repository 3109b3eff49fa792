# Clusterfy bot image: one bot process per container (see compose.yaml for several + PostgreSQL).
#   docker build -t clusterfy .
#   docker run --env-file .env clusterfy                  # SQLite history in the cache volume
FROM python:3.11-slim

WORKDIR /app
# Dependencies first, so code edits do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir engine bot && touch engine/__init__.py bot/__init__.py \
    && pip install --no-cache-dir -e . \
    && rm -rf engine bot
COPY engine engine
COPY bot bot
COPY clusterfy_cli clusterfy_cli
COPY data data
COPY scripts/entrypoint.sh scripts/entrypoint.sh
# Byte-compiled here: the bot user cannot write /app, so without this every container
# start compiled every module again (~0.2 s of a half-second start).
RUN python -m compileall -q engine bot clusterfy_cli

RUN useradd --create-home --uid 10001 clusterfy && mkdir /cache && chown clusterfy /cache
USER clusterfy
ENV CLUSTERFY_CACHE_DIR=/cache PYTHONUNBUFFERED=1
VOLUME /cache

ENTRYPOINT ["/app/scripts/entrypoint.sh"]
