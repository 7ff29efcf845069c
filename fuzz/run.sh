#!/usr/bin/env bash
# Property-based API fuzzing: schemathesis (PyPI, pinned in fuzz/requirements.txt) reads the OpenAPI document a
# fresh Roster serves (GET /v1/openapi.json), generates requests from it, valid and invalid, for every operation
# (examples, coverage, fuzzing and stateful phases, chaining operations through the links it infers) and checks
# every answer: no 5xx, a documented status, the documented Content-Type and headers, a body that matches the
# documented schema.
#
#   bash fuzz/run.sh
#
# Builds the server, installs the pinned fuzzer into fuzz/.venv, starts a FRESH roster (port 0, new SQLite file,
# key sk_test_fuzz), runs schemathesis against it with a bounded number of examples per operation, stops it.
# Exits non-zero on any failure; the last line is `fuzz: N cases, M failures`. The JSON reports of the runs are
# left in fuzz/report/ (ignored by git).
#
# Environment: FUZZ_MAX_EXAMPLES (test cases per operation and phase, default 25), FUZZ_SEED (default 1, so CI
# runs the same cases; `random` for a new seed each run, printed so a failure can be replayed), FUZZ_WORKERS
# (default 1: with more, CPython 3.11's parser can fail inside hypothesis, "AST constructor recursion depth
# mismatch", when two threads describe strategies at once), FUZZ_TIMEOUT (seconds for the whole run, default
# 600), PYTHON (interpreter for the venv, default python3.11 or python3), ROSTER_BIN (fuzz this roster binary
# instead of building one).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ=$ROOT/fuzz
SECRET=sk_test_fuzz
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
SEED=${FUZZ_SEED:-1}
WORKERS=${FUZZ_WORKERS:-1}
TIMEOUT=${FUZZ_TIMEOUT:-600}

die() {
  echo "fuzz: $*" >&2
  echo "fuzz: 0 cases, 1 failures"
  exit 1
}

# shellcheck source=../scripts/lib/roster-server.sh
. "$ROOT/scripts/lib/roster-server.sh"
roster_binary

echo "== install schemathesis (venv)"
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
[ -x "$FUZZ/.venv/bin/python" ] || "$PY" -m venv "$FUZZ/.venv" || die "python -m venv failed"
"$FUZZ/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$FUZZ/requirements.txt" ||
  die "pip install failed"

trap cleanup_servers EXIT

echo "== start roster"
start_server || die "roster did not start"
# The server's directory also serves as schemathesis' working directory, and its stderr is checked at the end.
TMP=$SERVER_DIR


# No 5xx; every status, Content-Type, header and body as the document says.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
CHECKS=$CHECKS,response_headers_conformance,response_schema_conformance
SEED_ARGS=()
[ "$SEED" != random ] && SEED_ARGS=(--seed "$SEED")
REPORTS=()
STATUS=0

# fuzz_run NAME FILTER...: one schemathesis run over the operations FILTER selects, its JSON report in
# fuzz/report/NAME.json. It runs in the temporary directory: schemathesis keeps a cache of the crashes it found in
# ./.schemathesis, and each run here starts from nothing.
fuzz_run() {
  local name=$1 report=$FUZZ/report/$1.json rc
  shift
  mkdir -p "$FUZZ/report"
  rm -f "$report"
  REPORTS+=("$report")
  echo "== schemathesis: $name ($MAX_EXAMPLES examples per operation, seed $SEED)"
  (cd "$TMP" && timeout "$TIMEOUT" "$FUZZ/.venv/bin/schemathesis" run "$SERVER_URL/v1/openapi.json" "$@" \
    --header "Authorization: Bearer $SECRET" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" \
    "${SEED_ARGS[@]}" \
    --workers "$WORKERS" \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    --report json --report-json-path "$report")
  rc=$?
  [ "$rc" = 124 ] && echo "fuzz: $name timed out after ${TIMEOUT}s"
  [ "$rc" = 0 ] || STATUS=1
}

# The instance's organization settings last: once a generated `{"enabled": false}` turns organizations off,
# every organization, membership, role and permission operation answers 403 and fuzzes nothing further.
fuzz_run operations --exclude-operation-id UpdateInstanceOrganizationSettings
fuzz_run settings --include-operation-id UpdateInstanceOrganizationSettings

if grep -q "panicked\|request failed" "$TMP/stderr"; then
  echo "== roster's errors (stderr)"
  grep "panicked\|request failed" "$TMP/stderr" | head -n 20
fi

# The closing line, from the runs' JSON reports: test cases run, and failures (unique failures and errors; a
# run that exits non-zero without either, such as a timeout, counts as one).
"$FUZZ/.venv/bin/python" - "$STATUS" "${REPORTS[@]}" <<'EOF'
import json, sys

status, paths = int(sys.argv[1]), sys.argv[2:]
cases = failures = 0
for path in paths:
    try:
        with open(path) as f:
            report = json.load(f)
        cases += report["test_cases"]["generated"]
        found = report["test_cases"]["unique_failures"] + len(report["errors"])
        failures += found or int(report["exit_code"] != 0)
    except (OSError, ValueError, KeyError):
        failures += 1
if status != 0 and failures == 0:
    failures = 1
print(f"fuzz: {cases} cases, {failures} failures")
sys.exit(1 if failures else 0)
EOF
