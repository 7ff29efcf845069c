#!/usr/bin/env bash
# The test command: every Rust test of the workspace, then the compatibility suite that drives a real Roster
# through Clerk's official SDKs (it installs its pinned npm and PyPI packages into the checkout itself).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked
bash compat/run.sh
