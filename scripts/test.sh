#!/usr/bin/env bash
# The test command.
#   0. The structure: no import circle inside any crate (scripts/module-cycles.py), no .rs file over 500 lines.
#   1. Every Rust test of the workspace, the shared suites on SQLite, plus the tests about PostgreSQL itself
#      (several nodes on one database, moving data between backends).
#   2. The shared behaviour suites again on PostgreSQL: the HTTP API suite, the SDK suite and the store tests.
#   3. The compatibility suite driving a real Roster through Clerk's official SDKs (it installs its pinned npm
#      and PyPI packages into the checkout itself), on SQLite and then on PostgreSQL.
#   4. Property-based fuzzing of the API against its OpenAPI document (schemathesis, pinned, installed the
#      same way), on SQLite and then on PostgreSQL.
# PostgreSQL: ROSTER_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). When it cannot be
# reached the PostgreSQL parts are skipped with a warning, except under CI (CI set) or with
# ROSTER_REQUIRE_POSTGRES=1, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

export ROSTER_TEST_POSTGRES_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
require_pg="${ROSTER_REQUIRE_POSTGRES:-${CI:+1}}"

# host and port of the URL (postgres://user@host:port/db?...), for a reachability probe.
hostport="${ROSTER_TEST_POSTGRES_URL#*://}"
hostport="${hostport#*@}"
hostport="${hostport%%/*}"
pg_host="${hostport%%:*}"
pg_port="${hostport##*:}"
[ "$pg_port" = "$hostport" ] && pg_port=5432

pg_reachable() { timeout 3 bash -c "exec 3<>/dev/tcp/${pg_host}/${pg_port}" 2>/dev/null; }

if pg_reachable; then
    have_pg=1
else
    have_pg=""
    if [ -n "$require_pg" ]; then
        echo "test.sh: PostgreSQL is not reachable at ${pg_host}:${pg_port} (${ROSTER_TEST_POSTGRES_URL})" >&2
        echo "test.sh: it is required here (CI or ROSTER_REQUIRE_POSTGRES=1); start it and run again" >&2
        exit 1
    fi
    echo "test.sh: WARNING: PostgreSQL is not reachable at ${pg_host}:${pg_port}; skipping the PostgreSQL tests" >&2
    unset ROSTER_TEST_POSTGRES_URL
fi

# The number of tests cargo reported passed in the log file $1.
passed_in() { awk '/^test result: ok\./ { n += $4 } END { print n + 0 }' "$1"; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== structure (docs/architecture.md): no import circle in any crate, no .rs file over 500 lines"
python3 scripts/module-cycles.py
long=$(find crates -name '*.rs' -not -path '*/target/*' -exec wc -l {} + | awk '$2 != "total" && $1 > 500 { print }')
if [ -n "$long" ]; then
    echo "test.sh: .rs files over 500 lines:" >&2
    echo "$long" >&2
    exit 1
fi

echo "== Rust tests (SQLite suites, PostgreSQL-specific tests)"
cargo test --workspace --locked -- --show-output 2>&1 | tee "$log"
# What the operational tests report (crash rounds, drained requests, hostile requests, nodes, transfers).
figures=$(grep -E '^(crash rounds|drained requests|bad input|multinode|transfer):' "$log" || true)
echo "rust: $(passed_in "$log") tests passed (the workspace: SQLite suites${have_pg:+ and the multi-node and transfer tests on PostgreSQL})"

if [ -n "$have_pg" ]; then
    echo "== Rust tests on PostgreSQL (the shared API, SDK and store suites)"
    ROSTER_TEST_BACKEND=postgres cargo test --locked -p roster-server -p roster-client -p roster-store 2>&1 | tee "$log"
    ran=$(passed_in "$log")
    echo "postgres: ${ran} tests passed against PostgreSQL"
    [ "$ran" -gt 0 ] || { echo "test.sh: no test ran against PostgreSQL" >&2; exit 1; }
fi

echo "== compatibility suite on SQLite"
bash compat/run.sh
if [ -n "$have_pg" ]; then
    echo "== compatibility suite on PostgreSQL"
    ROSTER_TEST_BACKEND=postgres bash compat/run.sh
fi
echo "== fuzzing on SQLite"
bash fuzz/run.sh
if [ -n "$have_pg" ]; then
    echo "== fuzzing on PostgreSQL"
    ROSTER_TEST_BACKEND=postgres bash fuzz/run.sh
fi
echo "== figures reported by the tests"
echo "$figures"
echo "test.sh: all passed${have_pg:+ (SQLite and PostgreSQL)}"
