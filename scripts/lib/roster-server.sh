# Shared by compat/run.sh and fuzz/run.sh (sourced): the roster binary and fresh servers to run suites against.
# The caller sets ROOT (the checkout) and SECRET (the development key the server accepts) and defines `die`.

SERVER_PID=
DRAIN_PID=
SERVER_URL=
SERVER_DIR=
ROSTER_TMP=()
# PostgreSQL schemas created for servers (ROSTER_TEST_BACKEND=postgres), dropped by cleanup_servers.
ROSTER_SCHEMAS=()

# Sets BIN: $ROSTER_BIN when given (e.g. a deliberately broken build), else a fresh `cargo build`.
roster_binary() {
  if [ -n "${ROSTER_BIN:-}" ]; then
    BIN=$ROSTER_BIN
    echo "== using roster binary $BIN"
  else
    echo "== build roster"
    (cd "$ROOT" && cargo build --bin roster) || die "cargo build failed"
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/roster
  fi
  [ -x "$BIN" ] || die "no binary at $BIN"
}

# The database of a fresh server, in DATABASE_URL: a new SQLite file in SERVER_DIR, or with
# ROSTER_TEST_BACKEND=postgres a new schema in the database ROSTER_TEST_POSTGRES_URL names.
fresh_database() {
  if [ "${ROSTER_TEST_BACKEND:-sqlite}" = postgres ]; then
    local url=${ROSTER_TEST_POSTGRES_URL:?ROSTER_TEST_BACKEND=postgres needs ROSTER_TEST_POSTGRES_URL}
    local schema
    schema="roster_suite_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public" \
      -c "CREATE SCHEMA $schema" >/dev/null || return 1
    ROSTER_SCHEMAS+=("$schema")
    local sep='?'
    case $url in *'?'*) sep='&' ;; esac
    DATABASE_URL="${url}${sep}options=-csearch_path%3D${schema}%2Cpublic"
  else
    DATABASE_URL="sqlite://$SERVER_DIR/roster.db"
  fi
}

# Starts a fresh roster on port 0 on a fresh database (fresh_database), with a temporary directory of its own
# (SERVER_DIR, which holds its stderr); sets SERVER_URL (the origin, without /v1) from the line it prints once
# it listens.
start_server() {
  local line
  SERVER_DIR=$(mktemp -d)
  ROSTER_TMP+=("$SERVER_DIR")
  fresh_database || return 1
  # The process substitution's $! is the server itself (exec); its stdout is our fd 3.
  exec 3< <(exec env ROSTER_SECRET_KEY="$SECRET" ROSTER_LOG="${ROSTER_LOG:-warn}" \
    "$BIN" serve --listen 127.0.0.1:0 --database-url "$DATABASE_URL" 2>"$SERVER_DIR/stderr")
  SERVER_PID=$!
  SERVER_URL=
  while IFS= read -r -t 60 line <&3; do
    case $line in
      "roster listening on "*)
        SERVER_URL=${line#roster listening on }
        break
        ;;
    esac
  done
  if [ -z "$SERVER_URL" ]; then
    echo "roster did not start; its stderr:" >&2
    cat "$SERVER_DIR/stderr" >&2
    return 1
  fi
  # Keep draining its stdout so it can never block on a full pipe; this ends when the server exits.
  cat <&3 >/dev/null &
  DRAIN_PID=$!
  exec 3<&-
  echo "roster (pid $SERVER_PID) at $SERVER_URL, database ${DATABASE_URL}"
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    # The drain ends at EOF, i.e. once the server has exited.
    [ -n "$DRAIN_PID" ] && wait "$DRAIN_PID" 2>/dev/null
  fi
  SERVER_PID=
  DRAIN_PID=
}

# Stop the server and remove every temporary directory the servers (and the caller, through ROSTER_TMP) used.
cleanup_servers() {
  stop_server
  local d
  for d in "${ROSTER_TMP[@]}"; do rm -rf "$d"; done
  for d in "${ROSTER_SCHEMAS[@]}"; do
    psql -q "$ROSTER_TEST_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $d CASCADE" >/dev/null 2>&1 || true
  done
  ROSTER_SCHEMAS=()
}
