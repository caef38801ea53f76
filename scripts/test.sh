#!/usr/bin/env bash
# Run the whole suite: unit and integration tests, then the browser tests when Chromium is here.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB="${DATABASE_URL:-sqlite (in memory)}"
echo "== Tests on ${DB%%@*}"
$BIN/pytest -q -m "not browser" "$@"
status=$?
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ "${BROWSER_TESTS:-1}" = 0 ]; then
  # CI runs the browser tests once, with the SQLite suite (.ci/run).
  echo "== Browser tests skipped (BROWSER_TESTS=0)"
elif [ -x "$CHROMIUM" ]; then
  echo "== Browser tests (Chromium at $CHROMIUM)"
  DJANGO_ALLOW_ASYNC_UNSAFE=true $BIN/pytest -q -m browser "$@"
  bstatus=$?
  # Exit code 5 means "no tests collected", which is no failure of the browser run itself.
  if [ $bstatus -ne 0 ] && [ $bstatus -ne 5 ]; then status=$bstatus; fi
else
  echo "== SKIPPED browser tests: Chromium was not found at $CHROMIUM."
  echo "   Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to run them."
fi
exit $status
