#!/usr/bin/env bash
# The test command: every Rust test of the workspace, then the compatibility suite that drives a real Roster
# through Clerk's official SDKs (it installs its pinned npm and PyPI packages into the checkout itself), then the
# property-based fuzzing of the API against its OpenAPI document (schemathesis, pinned, installed the same way).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
bash compat/run.sh
bash fuzz/run.sh
