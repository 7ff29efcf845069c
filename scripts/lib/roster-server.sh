# Shared by compat/run.sh and fuzz/run.sh (sourced): the roster binary and fresh servers to run suites against.
# The caller sets ROOT (the checkout) and SECRET (the development key the server accepts) and defines `die`.

SERVER_PID=
DRAIN_PID=
SERVER_URL=
SERVER_DIR=
ROSTER_TMP=()

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

# Starts a fresh roster on port 0 and a new SQLite file in its own temporary directory (SERVER_DIR, which also
# holds its stderr); sets SERVER_URL (the origin, without /v1) from the line it prints once it listens.
start_server() {
  local line
  SERVER_DIR=$(mktemp -d)
  ROSTER_TMP+=("$SERVER_DIR")
  # The process substitution's $! is the server itself (exec); its stdout is our fd 3.
  exec 3< <(exec env ROSTER_SECRET_KEY="$SECRET" ROSTER_LOG="${ROSTER_LOG:-warn}" \
    "$BIN" serve --listen 127.0.0.1:0 --database-url "sqlite://$SERVER_DIR/roster.db" 2>"$SERVER_DIR/stderr")
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
  echo "roster (pid $SERVER_PID) at $SERVER_URL, database $SERVER_DIR/roster.db"
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
}
