#!/usr/bin/env bash
# Compatibility suite: drives a real Roster through Clerk's official SDKs, pinned.
#
#   bash compat/run.sh
#
# Builds the server, installs the pinned clients (npm ci in compat/node; a venv in compat/python/.venv; scim2-tester
# in a venv of its own, compat/scim/.venv), then for each suite starts a FRESH roster (port 0, new SQLite file, key
# sk_test_compat_suite), runs it against it and stops it. The suites: suite.mjs and role-sets.mjs (node); suite.py,
# role_sets.py and scim_directories.py (python); compat/scim/compliance.py (scim: scim2-tester's check_server against
# a directory it creates). A suite also gets the binary (ROSTER_BIN) to start a second, unrelated instance of its
# own, whose session tokens the first must refuse. Exits non-zero if any check failed. The last line is
# `compat: N passed, M failed`.
#
# Environment: PYTHON (interpreter for the venvs, default python3.11 or python3), COMPAT_SUITE_TIMEOUT (seconds per
# suite, default 300), COMPAT_ONLY=node|python|scim (run one client's suites), ROSTER_BIN (test this roster binary
# instead of building one, e.g. a deliberately broken build), COMPAT_VERBOSE=1 (print passing checks too),
# COMPAT_RETRY_SCHEDULE (the servers' ROSTER_WEBHOOK_RETRY_SCHEDULE, default 200ms,500ms,1s: the webhook checks fail
# first attempts and wait for the retries; `default` leaves roster's own schedule, whose first retry is after 5 s).
set -uo pipefail

# The servers (and the suites, which start more of them) inherit it.
case ${COMPAT_RETRY_SCHEDULE:=200ms,500ms,1s} in
  default) unset ROSTER_WEBHOOK_RETRY_SCHEDULE ;;
  *) export ROSTER_WEBHOOK_RETRY_SCHEDULE=$COMPAT_RETRY_SCHEDULE ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMPAT=$ROOT/compat
SECRET=sk_test_compat_suite
SUITE_TIMEOUT=${COMPAT_SUITE_TIMEOUT:-300}
ONLY=${COMPAT_ONLY:-}

die() {
  echo "compat: $*" >&2
  echo "compat: 0 passed, 1 failed"
  exit 1
}

# shellcheck source=../scripts/lib/roster-server.sh
. "$ROOT/scripts/lib/roster-server.sh"
roster_binary

if [ -z "$ONLY" ] || [ "$ONLY" = node ]; then
  echo "== install @clerk/backend (npm ci)"
  (cd "$COMPAT/node" && npm ci --no-audit --no-fund) || die "npm ci failed"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = python ]; then
  echo "== install clerk-backend-api (venv)"
  PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
  [ -x "$COMPAT/python/.venv/bin/python" ] || "$PY" -m venv "$COMPAT/python/.venv" || die "python -m venv failed"
  "$COMPAT/python/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$COMPAT/python/requirements.txt" || die "pip install failed"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = scim ]; then
  echo "== install scim2-tester (venv)"
  PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
  [ -x "$COMPAT/scim/.venv/bin/python" ] || "$PY" -m venv "$COMPAT/scim/.venv" || die "python -m venv failed"
  "$COMPAT/scim/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$COMPAT/scim/requirements.txt" || die "pip install failed"
fi

trap cleanup_servers EXIT

TOTAL_PASSED=0
TOTAL_FAILED=0
STATUS=0

# run_suite NAME COMMAND...: the suite's closing line `... N passed, M failed` is added to the totals; a suite that
# dies or times out without one counts as one failure.
run_suite() {
  local name=$1 out rc summary
  shift
  echo "== $name"
  if ! start_server; then
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    STATUS=1
    return
  fi
  out=$(mktemp)
  ROSTER_TMP+=("$out")
  ROSTER_API_URL=$SERVER_URL ROSTER_SECRET_KEY=$SECRET ROSTER_BIN=$BIN timeout "$SUITE_TIMEOUT" "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  stop_server
  summary=$(grep -E '^[^ ].*: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  if [ -z "$summary" ]; then
    [ "$rc" = 124 ] && echo "$name: timed out after ${SUITE_TIMEOUT}s"
    echo "$name: ended (exit $rc) without its closing line"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    STATUS=1
    return
  fi
  local p f
  p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$summary")
  f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$summary")
  TOTAL_PASSED=$((TOTAL_PASSED + p))
  TOTAL_FAILED=$((TOTAL_FAILED + f))
  if [ "$rc" != 0 ] || [ "$f" != 0 ]; then STATUS=1; fi
}

if [ -z "$ONLY" ] || [ "$ONLY" = node ]; then
  run_suite node node "$COMPAT/node/suite.mjs"
  run_suite node-role-sets node "$COMPAT/node/role-sets.mjs"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = python ]; then
  run_suite python "$COMPAT/python/.venv/bin/python" "$COMPAT/python/suite.py"
  run_suite python-role-sets "$COMPAT/python/.venv/bin/python" "$COMPAT/python/role_sets.py"
  run_suite python-scim "$COMPAT/python/.venv/bin/python" "$COMPAT/python/scim_directories.py"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = scim ]; then
  run_suite scim-compliance "$COMPAT/scim/.venv/bin/python" "$COMPAT/scim/compliance.py"
fi

echo "compat: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
exit "$STATUS"
