"""Run scim2-tester (the python-scim project's RFC 7643/7644 compliance checker) against one Roster SCIM directory.

    ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... compliance.py
    compliance.py ENDPOINT_URL API_KEY

With no arguments (as compat/run.sh runs it, against a fresh instance) it creates an organization and a directory
for it through the Clerk API (`POST /v1/organizations`, `POST /v1/scim_directories`) and checks that directory's
`endpoint_url` with its `api_key`; with two it checks the directory they name.

Every check must end SUCCESS, COMPLIANT or ACCEPTABLE (each counts as passed), except those listed in UNSUPPORTED
(each with its reason, as the README's SCIM section documents them), which count as neither. A SKIPPED check (one
scim2-tester did not run, for lack of a prerequisite) counts as neither too. A check listed in UNSUPPORTED that
passes, or that no longer exists, counts as a failure, so the list cannot go stale. Prints every check that did not
pass (every check with COMPAT_VERBOSE=1) and closes with `scim-compliance: N passed, M failed`; exits 1 if anything
failed.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import urllib.error
import urllib.request

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server
from scim2_tester.utils import Status

# title -> why Roster does not support it (kept in step with README.md, "SCIM provisioning").
UNSUPPORTED: dict[str, str] = {}

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
VERBOSE = os.environ.get("COMPAT_VERBOSE") == "1"


def clerk_api(method: str, path: str, body: dict) -> dict:
    """One Clerk Backend API call with the instance's secret key; its JSON answer (raises on an HTTP error)."""
    url = os.environ["ROSTER_API_URL"].rstrip("/") + "/v1" + path
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method=method, headers={
        "Authorization": f"Bearer {os.environ['ROSTER_SECRET_KEY']}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}") from None


def fresh_directory() -> tuple[str, str]:
    """A new organization's new directory: its endpoint_url and api_key."""
    org = clerk_api("POST", "/organizations", {"name": "SCIM compliance"})
    directory = clerk_api("POST", "/scim_directories", {
        "organization_id": org["id"], "provider": "scim2-tester", "name": "scim2-tester"})
    print(f"directory {directory['id']} of {org['id']} at {directory['endpoint_url']}")
    return directory["endpoint_url"], directory["api_key"]


def run(url: str, key: str) -> tuple[int, int]:
    """Runs every check; prints them and the tally; returns (passed, failed)."""
    http = Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)
    passed, failed, counts = 0, 0, {}
    seen_failing: set[str] = set()
    seen: set[str] = set()
    for r in results:
        counts[r.status.name] = counts.get(r.status.name, 0) + 1
        seen.add(r.title)
        line = f"{r.status.name:<10} {r.resource_type or '-'}:{r.title} {r.reason or ''}".rstrip()
        if r.status in PASSING:
            passed += 1
            if VERBOSE:
                print(f"ok   {line}")
        elif r.status == Status.SKIPPED:
            print(f"skip {line}")
        elif r.title in UNSUPPORTED:
            seen_failing.add(r.title)
            print(f"unsupported {line} ({UNSUPPORTED[r.title]})")
        else:
            failed += 1
            print(f"FAIL {line}")
    for title in UNSUPPORTED:
        if title not in seen:
            failed += 1
            print(f"FAIL UNSUPPORTED lists {title!r}, which scim2-tester no longer runs: remove it")
        elif title not in seen_failing:
            failed += 1
            print(f"FAIL UNSUPPORTED lists {title!r}, which now passes: remove it")
    if not results:
        failed += 1
        print("FAIL scim2-tester ran no check")
    print("scim2-tester:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), f"({len(results)} checks)")
    return passed, failed


def main() -> int:
    passed, failed = 0, 0
    try:
        if len(sys.argv) == 3:
            url, key = sys.argv[1], sys.argv[2]
        elif len(sys.argv) == 1 and os.environ.get("ROSTER_API_URL") and os.environ.get("ROSTER_SECRET_KEY"):
            url, key = fresh_directory()
        else:
            print(__doc__.split("\n\n")[1], file=sys.stderr)
            return 2
        passed, failed = run(url, key)
    except Exception:  # noqa: BLE001 - a setup or checker crash is a failure, printed
        failed += 1
        print("FAIL the compliance run ended early\n" + traceback.format_exc())
    print(f"scim-compliance: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
