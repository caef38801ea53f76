#!/usr/bin/env bash
# Serve the portal for development with the background task worker beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
PY=.venv/bin/python
$PY manage.py db_worker --queue-name '*' --interval 2 >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "Task worker started (log: var/worker.log)."
echo "Serving Електронен регион on http://127.0.0.1:${PORT}/  (Ctrl+C to stop)"
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload
