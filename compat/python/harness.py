"""What the focused Python compat suites share (role_sets.py, scim_directories.py): the client of the Roster that
ROSTER_API_URL and ROSTER_SECRET_KEY name, the pass/fail tally, and the closing line compat/run.sh reads.

Retries are off and every call has a 10 s timeout, as in suite.py.
"""

from __future__ import annotations

import os
import pprint
import sys
import traceback
from importlib.metadata import version

from clerk_backend_api import Clerk, models

API_URL = os.environ.get("ROSTER_API_URL")
SECRET_KEY = os.environ.get("ROSTER_SECRET_KEY")
if not API_URL or not SECRET_KEY:
    print("set ROSTER_API_URL (origin, without /v1) and ROSTER_SECRET_KEY", file=sys.stderr)
    sys.exit(2)
clerk = Clerk(bearer_auth=SECRET_KEY, server_url=API_URL.rstrip("/") + "/v1", retry_config=None, timeout_ms=10_000)

_tally = {"passed": 0, "failed": 0}


def check(name: str, ok: bool, details=None) -> bool:
    if ok:
        _tally["passed"] += 1
        if os.environ.get("COMPAT_VERBOSE") == "1":
            print(f"ok   {name}")
    else:
        _tally["failed"] += 1
        print(f"FAIL {name}" + ("" if details is None else "\n     " + pprint.pformat(details, width=120)))
    return ok


def eq(name: str, got, want) -> bool:
    return check(name, got == want, {"got": got, "want": want})


def code_of(call) -> str | None:
    """The Clerk error code a call raises (models.ClerkErrors), or None if it succeeds."""
    try:
        call()
    except models.ClerkErrors as e:
        return e.data.errors[0].code
    except Exception as e:  # noqa: BLE001 - report any other failure as the code
        return f"not a Clerk error: {type(e).__name__}: {e}"
    return None


def run(main, label: str) -> None:
    """Run `main`, count an exception as a failed check, print `python clerk-backend-api <version> <label>: N passed,
    M failed` and exit 1 if anything failed."""
    try:
        main()
    except Exception:  # noqa: BLE001 - any exception is a failed check, printed
        check(f"the {label} checks ran to the end", False, traceback.format_exc())
    passed, failed = _tally["passed"], _tally["failed"]
    print(f"python clerk-backend-api {version('clerk-backend-api')} {label}: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)
