#!/bin/sh
# What each Clusterfy container runs (see Dockerfile and compose.yaml); runs the same outside Docker.
#
# 1. Opens CLUSTERFY_DB once (PostgreSQL URL or SQLite file), waiting up to CLUSTERFY_DB_WAIT
#    seconds (default 60) for the server, and migrates it: a bad URL, password or database
#    stops here with one line instead of after a model build.
# 2. Runs the bot: `python -m bot`, with any arguments given (e.g. --console), sharded when
#    SHARD_COUNT / SHARD_IDS are set. exec, so signals (docker stop) reach the bot directly.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m bot.store --wait "${CLUSTERFY_DB_WAIT:-60}"
exec "$PYTHON" -m bot "$@"
