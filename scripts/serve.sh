#!/usr/bin/env bash
# Serve the portal for development with the background task worker beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
PY=.venv/bin/python
$PY manage.py db_worker --queue-name '*' --interval 2 >var/worker.log 2>&1 &
WORKER=$!
# What cron does in production (README, Production): consultations open and close on their
# dates and their followers hear of them; participants of events get their reminder the day
# before and the feedback form after; requests, signals and commitments past their deadline
# are marked overdue (daily in production, idempotent); once a minute here.
# `set +e`: one command failing is logged and the loop goes on with the others.
( set +e
  while sleep 60; do
    $PY manage.py advance_consultations && $PY manage.py notify_consultations
    $PY manage.py remind_events
    $PY manage.py check_monitoring_deadlines
    $PY manage.py publish_news
  done ) >var/schedule.log 2>&1 &
SCHEDULE=$!
trap 'kill $WORKER $SCHEDULE 2>/dev/null || true' EXIT INT TERM
echo "Task worker and schedule started (logs: var/worker.log, var/schedule.log)."
echo "Serving Електронен регион on http://127.0.0.1:${PORT}/  (Ctrl+C to stop)"
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload
