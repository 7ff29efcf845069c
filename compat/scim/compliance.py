"""Run scim2-tester (the python-scim project's RFC 7643/7644 compliance checker) against one Roster SCIM directory.

Usage: compliance.py ENDPOINT_URL API_KEY

Every check must end SUCCESS, COMPLIANT or ACCEPTABLE, except those listed in UNSUPPORTED (each with its reason, as
the README's SCIM section documents them). A check listed there that passes fails the run too, so the list cannot
go stale.
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server
from scim2_tester.utils import Status

# title -> why Roster does not support it (kept in step with README.md, "SCIM provisioning").
UNSUPPORTED: dict[str, str] = {}

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def main() -> int:
    url, key = sys.argv[1], sys.argv[2]
    http = Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)
    failed, stale, counts = [], [], {}
    for r in results:
        counts[r.status.name] = counts.get(r.status.name, 0) + 1
        label = f"{r.resource_type or '-'}:{r.title}"
        line = f"{r.status.name:<10} {label} {r.reason or ''}".rstrip()
        print(line)
        if r.status == Status.SKIPPED:
            continue
        if r.status not in PASSING and r.title not in UNSUPPORTED:
            failed.append(line)
        if r.status in PASSING and r.title in UNSUPPORTED:
            stale.append(r.title)
    print("\nscim2-tester:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), f"({len(results)} checks)")
    for line in failed:
        print("FAILED:", line, file=sys.stderr)
    for title in stale:
        print(f"UNSUPPORTED lists {title!r}, which now passes: remove it", file=sys.stderr)
    return 1 if failed or stale or not results else 0


if __name__ == "__main__":
    sys.exit(main())
