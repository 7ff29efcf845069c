"""Drives a running Roster through the official Python SDK, clerk-backend-api, as an application would:
`Clerk(bearer_auth=..., server_url=".../v1")`.

    ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... ROSTER_BIN=target/debug/roster python suite.py

The session-token checks verify Roster's tokens with the SDK's own verify_token and authenticate_request, and start
a second roster (ROSTER_BIN, port 0, a fresh SQLite file) whose tokens this instance must refuse; they also wait for
a 30 s token to expire (about 36 s, overlapped with the other checks).

The webhook checks receive Roster's deliveries in this process (http.server), verify each with the standardwebhooks
package and compare it with GET /v1/events and with the SDK's reads right after each write; one endpoint fails every
first attempt, to check the retry.

The invitation checks accept invitations with Roster's extension (POST …/invitations/{id}/accept, plain HTTP) and
read the membership back through the SDK; the domain checks turn domains on in the instance's organization settings
(instance_settings.update_organization_settings) and follow the automatic enrollment through the SDK's lists.

Expects a fresh, empty instance (counts are exact). Prints every failure with details (and every pass with
COMPAT_VERBOSE=1) and closes with `python clerk-backend-api <version>: N passed, M failed`; exits 1 if anything
failed.

Retries are off: the SDK's default retries 5XX answers for up to an hour, which would hide a server bug behind a
hang. Every call also has a 10 s timeout.
"""

from __future__ import annotations

import atexit
import base64
import http.server
import json
import os
import pprint
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from importlib.metadata import version

import httpx
import pydantic
from clerk_backend_api import Clerk, models
from clerk_backend_api.security import (AuthenticateRequestOptions, TokenVerificationError,
                                        TokenVerificationErrorReason, VerifyTokenOptions, verify_token)
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm
from standardwebhooks import Webhook, WebhookVerificationError

API_URL = os.environ.get("ROSTER_API_URL")
SECRET_KEY = os.environ.get("ROSTER_SECRET_KEY")
if not API_URL or not SECRET_KEY:
    print("set ROSTER_API_URL (origin, without /v1) and ROSTER_SECRET_KEY", file=sys.stderr)
    sys.exit(2)
SERVER_URL = API_URL.rstrip("/") + "/v1"
SDK_VERSION = version("clerk-backend-api")


def client(key: str) -> Clerk:
    # retry_config=None: no retries at all (the default is exponential backoff on 5XX for up to an hour).
    return Clerk(bearer_auth=key, server_url=SERVER_URL, retry_config=None, timeout_ms=10_000)


clerk = client(SECRET_KEY)

VERBOSE = os.environ.get("COMPAT_VERBOSE") == "1"  # also print the checks that pass
passed = 0
failed = 0


def check(name: str, ok: bool, details=None) -> bool:
    """Counts one check; prints the failure with what was expected and what came back."""
    global passed, failed
    if ok:
        passed += 1
        if VERBOSE:
            print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}")
        if details is not None:
            print("     " + pprint.pformat(details, width=120, compact=True).replace("\n", "\n     "))
    return ok


def check_equal(name: str, actual, expected) -> bool:
    return check(name, actual == expected, {"expected": expected, "actual": actual})


def describe(e: BaseException):
    if isinstance(e, models.ClerkErrors):
        return {
            "type": "ClerkErrors",
            "status": e.status_code,
            "errors": [x.model_dump() for x in e.data.errors],
        }
    if isinstance(e, models.ClerkBaseError):
        return {"type": type(e).__name__, "status": e.status_code, "message": e.message[:2000]}
    return f"{type(e).__name__}: {e}"


def call(name: str, fn):
    """Runs one SDK call; an exception fails the check instead of ending the suite."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any exception is a failed check
        check(f"{name} (call raised)", False, describe(e))
        return None


def expect_error(name: str, fn, status: int, code: str, error_type=models.ClerkErrors, param_name=None) -> bool:
    """The call must raise `error_type` (the SDK raises ClerkErrors for the statuses the spec declares for that
    operation, SDKError for any other) with this HTTP status and first error code."""
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001
        if not check(f"{name}: raises {error_type.__name__}", type(e) is error_type, describe(e)):
            return False
        if isinstance(e, models.ClerkErrors):
            first = e.data.errors[0].model_dump() if e.data.errors else {}
        else:
            try:
                first = (json.loads(e.body).get("errors") or [{}])[0]
            except ValueError:
                first = {}
        ok = (
            e.status_code == status
            and first.get("code") == code
            and bool(first.get("message"))
            and bool(first.get("long_message"))
            and (param_name is None or (first.get("meta") or {}).get("param_name") == param_name)
        )
        return check(name, ok, {"expected": {"status": status, "code": code, "param_name": param_name},
                                "actual": describe(e)})
    return check(name, False, {"expected": f"{status} {code}", "actual": "success", "value": value})


def section(name: str, fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001
        check(f"{name}: section aborted", False, traceback.format_exc())


def uid(m):
    """The member's user id, from `public_user_data` (optional in the spec, always sent by Clerk)."""
    return m.public_user_data.user_id if m is not None and m.public_user_data else None


def user_ids(page) -> list:
    return [uid(m) for m in (page.data if page else [])]


users: dict = {}
org = None


# ---------------------------------------------------------------- users
def users_section() -> None:
    for key, first, last, username in [
        ("alice", "Alice", "Liddell", "alice_l"),
        ("bob", "Bob", "Builder", "bobby"),
        ("carol", "Carol", "Danvers", "carol_d"),
        ("dave", "Dave", "Grohl", "dave_g"),
        ("erin", "Erin", "Brockovich", "erin_b"),
    ]:
        users[key] = call(f"users.create {key}", lambda: clerk.users.create(
            email_address=[f"{key}@example.com"], first_name=first, last_name=last, username=username))
    alice = users["alice"]
    check("users.create: a models.User with id user_…", isinstance(alice, models.User) and alice.id.startswith("user_"),
          alice)
    check_equal("users.create: names, username, primary email",
                [alice.first_name, alice.last_name, alice.username,
                 next(e.email_address for e in alice.email_addresses if e.id == alice.primary_email_address_id)],
                ["Alice", "Liddell", "alice_l", "alice@example.com"])
    check("users.create: timestamps in ms", alice.created_at > 10**12, alice.created_at)

    got = call("users.get", lambda: clerk.users.get(user_id=alice.id))
    check_equal("users.get", got and got.id, alice.id)

    found = call("users.list", lambda: clerk.users.list(request={"email_address": ["bob@example.com"]}))
    check_equal("users.list email_address filter", [u.id for u in found or []], [users["bob"].id])
    count = call("users.count", lambda: clerk.users.count(request={"query": "liddell"}))
    check_equal("users.count query", count and count.total_count, 1)

    # users.update sends notify_primary_email_address_changed=false on every call (an SDK default).
    updated = call("users.update", lambda: clerk.users.update(user_id=alice.id, first_name="Alicia"))
    check_equal("users.update first name", updated and updated.first_name, "Alicia")

    call("users.update_metadata 1", lambda: clerk.users.update_metadata(
        user_id=alice.id, public_metadata={"profile": {"theme": "dark", "beta": True}},
        private_metadata={"crm": "c-1"}))
    merged = call("users.update_metadata 2", lambda: clerk.users.update_metadata(
        user_id=alice.id, public_metadata={"profile": {"beta": None, "lang": "en"}}))
    check_equal("users.update_metadata deep merge, null deletes",
                merged and [merged.public_metadata, merged.private_metadata],
                [{"profile": {"theme": "dark", "lang": "en"}}, {"crm": "c-1"}])

    replaced = call("users.replace_metadata", lambda: clerk.users.replace_metadata(
        user_id=alice.id, public_metadata={"profile": {"theme": "light"}}))
    check_equal("users.replace_metadata replaces the given field only",
                replaced and [replaced.public_metadata, replaced.private_metadata],
                [{"profile": {"theme": "light"}}, {"crm": "c-1"}])

    temp = call("users.create temp", lambda: clerk.users.create(email_address=["temp@example.com"]))
    gone = call("users.delete", lambda: clerk.users.delete(user_id=temp.id))
    check_equal("users.delete returns a DeletedObject",
                gone and [type(gone).__name__, gone.object, gone.id, gone.deleted],
                ["DeletedObject", "user", temp.id, True])
    expect_error("users.get after delete", lambda: clerk.users.get(user_id=temp.id), 404, "resource_not_found")


# ---------------------------------------------------------------- organizations
def organizations_section() -> None:
    global org
    alice, bob = users["alice"], users["bob"]
    org = call("organizations.create", lambda: clerk.organizations.create(request={
        "name": "Acme Corp", "slug": "acme-corp", "created_by": alice.id,
        "public_metadata": {"plan": {"tier": "pro", "seats": 5}}}))
    check("organizations.create: a models.Organization with id org_…",
          isinstance(org, models.Organization) and org.id.startswith("org_"), org)
    check_equal("organizations.create fields", [org.name, org.slug, org.created_by, org.max_allowed_memberships],
                ["Acme Corp", "acme-corp", alice.id, 0])

    by_id = call("organizations.get by id", lambda: clerk.organizations.get(
        organization_id=org.id, include_members_count=True))
    check_equal("organizations.get by id with members_count", by_id and [by_id.id, by_id.members_count], [org.id, 1])
    by_slug = call("organizations.get by slug", lambda: clerk.organizations.get(organization_id="acme-corp"))
    check_equal("organizations.get by slug", by_slug and by_slug.id, org.id)

    other = call("organizations.create 2", lambda: clerk.organizations.create(
        request={"name": "Globex", "created_by": bob.id}))
    listed = call("organizations.list", lambda: clerk.organizations.list(include_members_count=True, order_by="name"))
    check_equal("organizations.list with include_members_count",
                listed and [[(o.name, o.members_count) for o in listed.data], listed.total_count],
                [[("Acme Corp", 1), ("Globex", 1)], 2])
    renamed = call("organizations.update", lambda: clerk.organizations.update(
        organization_id=other.id, name="Globex Corporation"))
    check_equal("organizations.update name", renamed and renamed.name, "Globex Corporation")

    merged = call("organizations.merge_metadata", lambda: clerk.organizations.merge_metadata(
        organization_id=org.id, public_metadata={"plan": {"seats": None, "renews": True}},
        private_metadata={"billing": "b-1"}))
    check_equal("organizations.merge_metadata deep merge, null deletes",
                merged and [merged.public_metadata, merged.private_metadata],
                [{"plan": {"tier": "pro", "renews": True}}, {"billing": "b-1"}])

    replaced = call("organizations.replace_metadata", lambda: clerk.organizations.replace_metadata(
        organization_id=other.id, private_metadata={"region": "eu"}))
    check_equal("organizations.replace_metadata", replaced and [replaced.public_metadata, replaced.private_metadata],
                [{}, {"region": "eu"}])

    gone = call("organizations.delete", lambda: clerk.organizations.delete(organization_id=other.id))
    check_equal("organizations.delete returns a DeletedObject",
                gone and [type(gone).__name__, gone.object, gone.id, gone.deleted],
                ["DeletedObject", "organization", other.id, True])
    expect_error("organizations.get after delete", lambda: clerk.organizations.get(organization_id=other.id),
                 404, "resource_not_found")


# ---------------------------------------------------------------- memberships
def memberships_section() -> None:
    oid = org.id
    alice, bob, carol, dave, erin = (users[k] for k in ("alice", "bob", "carol", "dave", "erin"))
    om = clerk.organization_memberships

    creator = call("list creator", lambda: om.list(organization_id=oid))
    check_equal("creator is org:admin",
                creator and [[(uid(m), m.role) for m in creator.data], creator.total_count],
                [[(alice.id, "org:admin")], 1])

    m = call("organization_memberships.create", lambda: om.create(
        organization_id=oid, user_id=bob.id, role="org:member",
        public_metadata={"team": {"name": "core", "lead": False}, "tags": ["x"]}, private_metadata={"seat": "A1"}))
    check("membership: a models.OrganizationMembership with id orgmem_…",
          isinstance(m, models.OrganizationMembership) and m.id.startswith("orgmem_"), m)
    check_equal("membership: role, role_name, permissions", [m.role, m.role_name, set(m.permissions or [])],
                ["org:member", "Member", {"org:sys_memberships:read", "org:sys_billing:read"}])
    check_equal("membership: metadata", [m.public_metadata, m.private_metadata],
                [{"team": {"name": "core", "lead": False}, "tags": ["x"]}, {"seat": "A1"}])
    check_equal("membership: organization", [m.organization.id, m.organization.slug], [oid, "acme-corp"])
    pud = m.public_user_data
    check_equal("membership: public_user_data",
                pud and [pud.user_id, pud.identifier, pud.first_name, pud.last_name, pud.username, pud.has_image],
                [bob.id, "bob@example.com", "Bob", "Builder", "bobby", False])

    call("add carol", lambda: om.create(organization_id=oid, user_id=carol.id, role="org:member"))
    call("add dave", lambda: om.create(organization_id=oid, user_id=dave.id, role="org:admin"))

    def lst(**kw):
        return om.list(organization_id=oid, **kw)

    default = call("list default", lambda: lst())
    check_equal("list: default order newest first, total_count", default and [user_ids(default), default.total_count],
                [[dave.id, carol.id, bob.id, alice.id], 4])
    admins = call("list role", lambda: lst(role=["org:admin"]))
    check_equal("list: role=org:admin", admins and [set(user_ids(admins)), admins.total_count],
                [{alice.id, dave.id}, 2])
    inc = call("list +user_id", lambda: lst(user_id=[f"+{bob.id}", f"+{carol.id}"]))
    check_equal("list: user_id +include", inc and set(user_ids(inc)), {bob.id, carol.id})
    exc = call("list -user_id", lambda: lst(user_id=[f"-{alice.id}"]))
    check_equal("list: user_id -exclude", exc and [set(user_ids(exc)), exc.total_count],
                [{bob.id, carol.id, dave.id}, 3])
    q = call("list query", lambda: lst(query="danvers"))
    check_equal("list: query", q and user_ids(q), [carol.id])
    by_email = call("list email_address", lambda: lst(email_address=["dave@example.com"]))
    check_equal("list: email_address", by_email and user_ids(by_email), [dave.id])
    asc = call("list +email_address", lambda: lst(order_by="+email_address"))
    check_equal("list: order_by +email_address", asc and user_ids(asc), [alice.id, bob.id, carol.id, dave.id])
    desc = call("list -created_at", lambda: lst(order_by="-created_at"))
    check_equal("list: order_by -created_at", desc and user_ids(desc), [dave.id, carol.id, bob.id, alice.id])
    page = call("list limit/offset", lambda: lst(order_by="+email_address", limit=2, offset=1))
    check_equal("list: limit 2 offset 1, total_count counts all", page and [user_ids(page), page.total_count],
                [[bob.id, carol.id], 4])
    first = call("list offset 0", lambda: lst(order_by="+email_address", limit=1, offset=0))
    check_equal("list: limit 1 offset 0", first and [user_ids(first), first.total_count], [[alice.id], 4])

    # Roster refuses a limit outside 1..=500 (hosted Clerk has been seen to fall back to 10 silently).
    expect_error("list: limit 501 refused", lambda: lst(limit=501), 422, "form_param_value_invalid",
                 param_name="limit")

    promoted = call("organization_memberships.update", lambda: om.update(
        organization_id=oid, user_id=carol.id, role="org:admin"))
    check("update role: role, role_name and permissions follow",
          promoted is not None and promoted.role == "org:admin" and promoted.role_name == "Admin"
          and "org:sys_memberships:manage" in (promoted.permissions or []), promoted)

    merged = call("organization_memberships.update_metadata", lambda: om.update_metadata(
        organization_id=oid, user_id=bob.id,
        public_metadata={"team": {"lead": None, "since": 2024}, "tags": ["a", "b"]},
        private_metadata={"seat": "A12"}))
    check_equal("update_metadata: deep merge, nested null deletes, arrays replace",
                merged and [merged.public_metadata, merged.private_metadata],
                [{"team": {"name": "core", "since": 2024}, "tags": ["a", "b"]}, {"seat": "A12"}])

    unchanged = call("update_metadata without fields", lambda: om.update_metadata(organization_id=oid, user_id=bob.id))
    check_equal("update_metadata without fields leaves it unchanged", unchanged and unchanged.public_metadata,
                {"team": {"name": "core", "since": 2024}, "tags": ["a", "b"]})

    removed = call("organization_memberships.delete", lambda: om.delete(organization_id=oid, user_id=carol.id))
    check_equal("delete returns the membership",
                removed and [type(removed).__name__, uid(removed), removed.role],
                ["OrganizationMembership", carol.id, "org:admin"])
    expect_error("delete again: 404", lambda: om.delete(organization_id=oid, user_id=carol.id),
                 404, "resource_not_found")
    counted = call("organizations.get members_count", lambda: clerk.organizations.get(
        organization_id=oid, include_members_count=True))
    check_equal("members_count follows creates and deletes", counted and counted.members_count, 3)

    # Instance-wide and per-user lists.
    side = call("organizations.create side", lambda: clerk.organizations.create(
        request={"name": "Side Project", "created_by": bob.id}))
    inst = call("users.get_instance_organization_memberships", lambda:
                clerk.users.get_instance_organization_memberships(order_by="-created_at", limit=100))
    # Acme: alice, bob, dave; Side Project: bob. (Globex and its membership were deleted.)
    check_equal("instance list: total_count, newest first",
                inst and [inst.total_count, inst.data[0].organization.id, uid(inst.data[0])],
                [4, side.id, bob.id])
    inst_page = call("instance list page", lambda: clerk.users.get_instance_organization_memberships(
        limit=1, offset=1))
    check_equal("instance list: limit/offset", inst_page and [len(inst_page.data), inst_page.total_count], [1, 4])
    bobs = call("users.get_organization_memberships", lambda: clerk.users.get_organization_memberships(
        user_id=bob.id))
    check_equal("per-user list", bobs and [{x.organization.id for x in bobs.data}, bobs.total_count],
                [{oid, side.id}, 2])

    call("users.delete dave", lambda: clerk.users.delete(user_id=dave.id))
    after = call("list after user delete", lambda: lst())
    check_equal("deleting a user removes their membership", after and user_ids(after), [bob.id, alice.id])

    # ------------------------------------------------------------ errors
    expect_error("duplicate member", lambda: om.create(organization_id=oid, user_id=bob.id, role="org:member"),
                 400, "already_a_member_in_organization")
    # The SDK validates the body itself (pydantic) and never sends a request without `role`...
    try:
        om.create(organization_id=oid, user_id=erin.id, role=None)
        check("missing role: the SDK refuses it client-side", False, "no exception")
    except pydantic.ValidationError:
        check("missing role: the SDK refuses it client-side", True)
    except Exception as e:  # noqa: BLE001
        check("missing role: the SDK refuses it client-side", False, describe(e))
    # ...so the server's answer is checked with a raw request carrying the SDK's own headers.
    raw = httpx.post(f"{SERVER_URL}/organizations/{oid}/memberships",
                     headers={"Authorization": f"Bearer {SECRET_KEY}", "Clerk-API-Version": "2025-11-10",
                              "Accept": "application/json"},
                     json={"user_id": erin.id}, timeout=10)
    body = raw.json() if raw.headers.get("content-type") == "application/json" else {}
    err = (body.get("errors") or [{}])[0]
    check_equal("missing role (raw request): 422 form_param_missing, param_name role",
                [raw.status_code, err.get("code"), (err.get("meta") or {}).get("param_name")],
                [422, "form_param_missing", "role"])
    # The SDK parses that body into its own error type.
    parsed = models.ClerkErrorsData.model_validate(body) if body else None
    check_equal("missing role: body parses as models.ClerkErrorsData",
                parsed and parsed.errors[0].code, "form_param_missing")

    expect_error("unknown role", lambda: om.create(organization_id=oid, user_id=erin.id, role="admin"),
                 404, "resource_not_found", param_name="role")
    expect_error("unknown user", lambda: om.create(organization_id=oid, user_id="user_nope", role="org:member"),
                 404, "resource_not_found")
    expect_error("update of a non-member", lambda: om.update(organization_id=oid, user_id=erin.id, role="org:admin"),
                 404, "resource_not_found")
    expect_error("update_metadata of a non-member", lambda: om.update_metadata(
        organization_id=oid, user_id=erin.id, public_metadata={"a": 1}), 404, "resource_not_found")

    tiny = call("organizations.create quota", lambda: clerk.organizations.create(
        request={"name": "Tiny", "created_by": erin.id, "max_allowed_memberships": 1}))
    check_equal("quota org: max_allowed_memberships", tiny and tiny.max_allowed_memberships, 1)
    expect_error("quota exceeded", lambda: om.create(organization_id=tiny.id, user_id=bob.id, role="org:member"),
                 403, "organization_membership_quota_exceeded")
    # The spec declares no 400 on update/delete (2025-11-10 and later), so the SDK raises its generic SDKError.
    expect_error("last admin: demote", lambda: om.update(organization_id=tiny.id, user_id=erin.id, role="org:member"),
                 400, "organization_minimum_permissions_needed", error_type=models.SDKError)
    expect_error("last admin: remove", lambda: om.delete(organization_id=tiny.id, user_id=erin.id),
                 400, "organization_minimum_permissions_needed", error_type=models.SDKError)

    banned = call("users.ban", lambda: clerk.users.ban(user_id=erin.id))
    check_equal("users.ban", banned and banned.banned, True)
    tiny_members = call("list after ban", lambda: om.list(organization_id=tiny.id))
    check_equal("public_user_data.banned follows the user",
                tiny_members and [(uid(x), x.public_user_data and x.public_user_data.banned) for x in tiny_members.data],
                [(erin.id, True)])
    call("users.unban", lambda: clerk.users.unban(user_id=erin.id))

    wrong = client("sk_test_not_the_right_key")
    expect_error("bad key: users.get", lambda: wrong.users.get(user_id=alice.id), 401, "clerk_key_invalid")
    expect_error("bad key: memberships list", lambda: wrong.organization_memberships.list(organization_id=oid),
                 401, "clerk_key_invalid")
    # POST …/memberships declares 403, not 401: a 401 there surfaces as SDKError.
    expect_error("bad key: memberships create", lambda: wrong.organization_memberships.create(
        organization_id=oid, user_id=erin.id, role="org:member"), 401, "clerk_key_invalid",
        error_type=models.SDKError)


def sessions_section():
    user = call("users.create (sessions)", lambda: clerk.users.create(email_address=["sessions@example.com"]))
    s = call("sessions.create", lambda: clerk.sessions.create(request={"user_id": user.id}))
    check("sessions.create: a models.Session, active", isinstance(s, models.Session) and s.status == "active", s)
    revoked = call("sessions.revoke", lambda: clerk.sessions.revoke(session_id=s.id))
    check_equal("sessions.revoke: the same session, revoked",
                revoked and [type(revoked).__name__, revoked.id, revoked.status], ["Session", s.id, "revoked"])
    expect_error("sessions.revoke twice", lambda: clerk.sessions.revoke(session_id=s.id),
                 400, "invalid_action_for_session")
    expect_error("sessions.revoke unknown", lambda: clerk.sessions.revoke(session_id="sess_missing"),
                 404, "resource_not_found")
    got = call("sessions.get", lambda: clerk.sessions.get(session_id=s.id))
    check_equal("sessions.get after revoke", got and got.status, "revoked")


# ---------------------------------------------------------------- invitations
# Roster sends no email. Clerk's invitee accepts through its frontend, which Roster does not have: Roster's extension
# POST /v1/organizations/{org}/invitations/{id}/accept {user_id} (plain HTTP, the SDK has no method for it) makes the
# membership, and the SDK reads it back.
DAY = 24 * 3600 * 1000


def inv_ids(page) -> list:
    return [i.id for i in (page.data if page else [])]


def inv_emails(page) -> list:
    return [i.email_address.lower() for i in (page.data if page else [])]


def invitations_section() -> None:
    oi = clerk.organization_invitations
    host = call("users.create py-inv-host", lambda: clerk.users.create(
        email_address=["py-inv-host@example.com"], first_name="Host"))
    helper = call("users.create py-inv-helper", lambda: clerk.users.create(email_address=["py-inv-helper@example.com"]))
    inv_org = call("organizations.create (invitations)", lambda: clerk.organizations.create(
        request={"name": "Py Invite Co", "slug": "py-invite-co", "created_by": host.id}))
    oid = inv_org.id
    call("add py-inv-helper as org:member", lambda: clerk.organization_memberships.create(
        organization_id=oid, user_id=helper.id, role="org:member"))

    # The SDK sends notify (true by default) on every create.
    inv = call("organization_invitations.create", lambda: oi.create(
        organization_id=oid, email_address="New.Person@Example.com", role="org:member", inviter_user_id=host.id,
        public_metadata={"team": {"name": "red"}}, private_metadata={"seat": 7},
        redirect_url="https://app.example/join?from=mail", expires_in_days=7))
    check("create: a models.OrganizationInvitation with id orginv_…",
          isinstance(inv, models.OrganizationInvitation) and inv.id.startswith("orginv_"), inv)
    check_equal("create: address as given, role, role_name, organization, status, metadata",
                inv and [inv.email_address, inv.role, inv.role_name, inv.organization_id, inv.status,
                         inv.public_metadata, inv.private_metadata],
                ["New.Person@Example.com", "org:member", "Member", oid, "pending", {"team": {"name": "red"}},
                 {"seat": 7}])
    check("create: url = the redirect_url with its __clerk_ticket",
          bool(inv and inv.url and re.fullmatch(r"https://app\.example/join\?from=mail&__clerk_ticket=[^&\s]+", inv.url)),
          inv and inv.url)
    check_equal("create: expires_in_days 7; timestamps in ms",
                inv and [inv.expires_at - inv.created_at, inv.created_at > 10**12, inv.updated_at >= inv.created_at],
                [7 * DAY, True, True])
    pid = inv and inv.public_inviter_data
    check_equal("create: inviter_id and public_inviter_data",
                inv and [inv.inviter_id, type(pid).__name__, pid and pid.user_id, pid and pid.identifier,
                         pid and pid.first_name, pid and pid.has_image],
                [host.id, "OrganizationInvitationPublicUserData", host.id, "py-inv-host@example.com", "Host", False])

    plain = call("organization_invitations.create minimal", lambda: oi.create(
        organization_id=oid, email_address="plain@example.com", role="org:admin"))
    check_equal("minimal invitation: url, inviter null; empty metadata; Clerk's 30 days",
                plain and [plain.role_name, plain.url, plain.inviter_id, plain.public_inviter_data,
                           plain.public_metadata, plain.private_metadata, plain.expires_at - plain.created_at],
                ["Admin", None, None, None, {}, {}, 30 * DAY])
    # notify false, and private_metadata sent as an explicit null.
    quiet = call("organization_invitations.create notify=False, private_metadata=None", lambda: oi.create(
        organization_id=oid, email_address="quiet@example.com", role="org:member", notify=False,
        private_metadata=None))
    check_equal("notify false, private_metadata null: created, empty private metadata",
                quiet and [quiet.status, quiet.private_metadata], ["pending", {}])

    got = call("organization_invitations.get", lambda: oi.get(organization_id=oid, invitation_id=inv.id))
    check_equal("organization_invitations.get: the invitation as created", got, inv)

    # ------------------------------------------------------------ the rules
    expect_error("duplicate invitation (the same address in another case)", lambda: oi.create(
        organization_id=oid, email_address="new.person@EXAMPLE.com", role="org:admin"),
        400, "organization_invitation_not_unique")
    expect_error("invitation of a member", lambda: oi.create(
        organization_id=oid, email_address="py-inv-helper@example.com", role="org:member"),
        400, "already_a_member_in_organization")
    expect_error("invitation with an unknown role", lambda: oi.create(
        organization_id=oid, email_address="x@example.com", role="org:nope"), 404, "resource_not_found",
        param_name="role")
    expect_error("invitation by an inviter who is no admin", lambda: oi.create(
        organization_id=oid, email_address="x@example.com", role="org:member", inviter_user_id=helper.id),
        403, "not_an_admin_in_organization")
    expect_error("invitation to a malformed address", lambda: oi.create(
        organization_id=oid, email_address="not-an-email", role="org:member"), 422, "form_param_format_invalid",
        param_name="email_address")
    expect_error("invitation with expires_in_days 0", lambda: oi.create(
        organization_id=oid, email_address="x@example.com", role="org:member", expires_in_days=0),
        422, "form_param_value_invalid", param_name="expires_in_days")

    # ------------------------------------------------------------ bulk
    bulk = call("organization_invitations.bulk_create", lambda: oi.bulk_create(organization_id=oid, request_body=[
        {"email_address": "bulk-a@example.com", "role": "org:member", "public_metadata": {"batch": 1}},
        {"email_address": "bulk-b@example.com", "role": "org:admin", "inviter_user_id": host.id},
        {"email_address": "bulk-c@example.com", "role": "org:member", "expires_in_days": 3},
    ]))
    check_equal("bulk_create: models.OrganizationInvitations {data, total_count}, in request order",
                bulk and [type(bulk).__name__, [(type(i).__name__, i.email_address, i.role, i.status) for i in bulk.data],
                          bulk.total_count],
                ["OrganizationInvitations",
                 [("OrganizationInvitation", "bulk-a@example.com", "org:member", "pending"),
                  ("OrganizationInvitation", "bulk-b@example.com", "org:admin", "pending"),
                  ("OrganizationInvitation", "bulk-c@example.com", "org:member", "pending")], 3])
    bulk_a, bulk_b, bulk_c = bulk.data
    check_equal("bulk_create: each item's own metadata, inviter and expiry",
                [bulk_a.public_metadata, bulk_a.inviter_id, bulk_b.inviter_id, bulk_c.expires_at - bulk_c.created_at],
                [{"batch": 1}, None, host.id, 3 * DAY])
    expect_error("bulk_create with one address invited already: none created", lambda: oi.bulk_create(
        organization_id=oid, request_body=[{"email_address": "bulk-fresh@example.com", "role": "org:member"},
                                           {"email_address": "bulk-a@example.com", "role": "org:member"}]),
        400, "organization_invitation_not_unique")

    # ------------------------------------------------------------ revoke
    revoked = call("organization_invitations.revoke (body {})", lambda: oi.revoke(
        organization_id=oid, invitation_id=plain.id))
    check_equal("revoke without requesting_user_id: the invitation, revoked",
                revoked and [type(revoked).__name__, revoked.id, revoked.status],
                ["OrganizationInvitation", plain.id, "revoked"])
    revoked_by = call("organization_invitations.revoke requesting_user_id (an admin)", lambda: oi.revoke(
        organization_id=oid, invitation_id=bulk_c.id, requesting_user_id=host.id))
    check_equal("revoke with requesting_user_id: the invitation, revoked",
                revoked_by and [revoked_by.id, revoked_by.status], [bulk_c.id, "revoked"])
    expect_error("revoke with a requesting_user_id who is no admin", lambda: oi.revoke(
        organization_id=oid, invitation_id=bulk_b.id, requesting_user_id=helper.id),
        403, "not_an_admin_in_organization")
    expect_error("revoke of a revoked invitation", lambda: oi.revoke(organization_id=oid, invitation_id=plain.id),
                 404, "organization_invitation_not_pending")
    expect_error("organization_invitations.get unknown", lambda: oi.get(
        organization_id=oid, invitation_id="orginv_nope"), 404, "resource_not_found")

    # ------------------------------------------------------------ the organization's lists
    all_ = call("organization_invitations.list", lambda: oi.list(organization_id=oid))
    # The three of the bulk share a created_at: their order among themselves is not fixed.
    check_equal("list: newest first, total_count; no invitation of the failed bulk",
                all_ and [type(all_).__name__, set(inv_ids(all_)[:3]), inv_ids(all_)[3:], all_.total_count],
                ["OrganizationInvitations", {bulk_a.id, bulk_b.id, bulk_c.id}, [quiet.id, plain.id, inv.id], 6])
    for status, expected in [
        ("pending", [bulk_a, bulk_b, quiet, inv]),
        ("revoked", [bulk_c, plain]),
        ("accepted", []),
        ("expired", []),
    ]:
        page = call(f"list status={status}", lambda: oi.list(organization_id=oid, status=status))
        check_equal(f"list: status={status}", page and [set(inv_ids(page)), page.total_count],
                    [{i.id for i in expected}, len(expected)])
    by_email = call("list email_address", lambda: oi.list(organization_id=oid, email_address="BULK-A@example.com"))
    check_equal("list: email_address (any case)", by_email and [inv_ids(by_email), by_email.total_count],
                [[bulk_a.id], 1])
    asc = call("list order_by email_address", lambda: oi.list(organization_id=oid, order_by="email_address"))
    check_equal("list: order_by email_address", inv_emails(asc),
                ["bulk-a@example.com", "bulk-b@example.com", "bulk-c@example.com", "new.person@example.com",
                 "plain@example.com", "quiet@example.com"])
    desc = call("list order_by -email_address limit/offset", lambda: oi.list(
        organization_id=oid, order_by="-email_address", limit=2, offset=1))
    check_equal("list: order_by -email_address, limit 2 offset 1", desc and [inv_emails(desc), desc.total_count],
                [["plain@example.com", "new.person@example.com"], 6])
    oldest = call("list order_by +created_at", lambda: oi.list(organization_id=oid, order_by="+created_at", limit=3))
    check_equal("list: order_by +created_at", inv_ids(oldest), [inv.id, plain.id, quiet.id])
    # Clerk deprecates list_pending (the SDK warns on every call); it is still in the SDK, so it is checked.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pending = call("organization_invitations.list_pending", lambda: oi.list_pending(organization_id=oid))
        pending_page = call("list_pending limit/offset", lambda: oi.list_pending(
            organization_id=oid, limit=2, offset=2))
    check_equal("list_pending: the pending ones",
                pending and [type(pending).__name__, set(inv_ids(pending)), pending.total_count],
                ["OrganizationInvitations", {bulk_a.id, bulk_b.id, quiet.id, inv.id}, 4])
    check_equal("list_pending: limit 2 offset 2 (the oldest two)", pending_page and [inv_ids(pending_page),
                                                                                  pending_page.total_count],
                [[quiet.id, inv.id], 4])
    expect_error("list: order_by role refused", lambda: oi.list(organization_id=oid, order_by="role"),
                 422, "form_param_value_invalid", param_name="order_by")
    expect_error("list of an unknown organization", lambda: oi.list(organization_id="org_nope"),
                 404, "resource_not_found")

    # ------------------------------------------------------------ the invitee; the instance-wide list
    # The invitee signs up: a user owning the invited address (verified; in another case).
    joiner = call("users.create new.person", lambda: clerk.users.create(email_address=["new.person@example.com"]))
    second = call("organizations.create (invitations 2)", lambda: clerk.organizations.create(
        request={"name": "Py Invite Two", "slug": "py-invite-two", "created_by": host.id}))
    second_inv = call("create in the second organization", lambda: oi.create(
        organization_id=second.id, email_address="new.person@example.com", role="org:admin"))

    mine = call("users.get_organization_invitations", lambda: clerk.users.get_organization_invitations(
        user_id=joiner.id))
    check_equal("users.get_organization_invitations: the invitations to the user's address, newest first",
                mine and [type(mine).__name__,
                          [(type(i).__name__, i.id, i.organization_id, i.role) for i in mine.data], mine.total_count],
                ["OrganizationInvitationsWithPublicOrganizationData",
                 [("OrganizationInvitationWithPublicOrganizationData", second_inv.id, second.id, "org:admin"),
                  ("OrganizationInvitationWithPublicOrganizationData", inv.id, oid, "org:member")], 2])
    pod = mine and mine.data and mine.data[-1].public_organization_data
    check_equal("users.get_organization_invitations: public_organization_data",
                pod and [pod.id, pod.name, pod.slug, pod.has_image, type(pod.image_url).__name__],
                [oid, "Py Invite Co", "py-invite-co", False, "str"])
    mine_page = call("users.get_organization_invitations status pending, limit 1", lambda:
                     clerk.users.get_organization_invitations(user_id=joiner.id, status="pending", limit=1))
    check_equal("users.get_organization_invitations: status=pending limit 1",
                mine_page and [inv_ids(mine_page), mine_page.total_count], [[second_inv.id], 2])
    expect_error("users.get_organization_invitations of an unknown user", lambda:
                 clerk.users.get_organization_invitations(user_id="user_nope"), 404, "resource_not_found")

    everything = call("organization_invitations.get_all", lambda: oi.get_all(limit=100))
    check_equal("get_all: every organization's invitations, with public_organization_data",
                everything and [type(everything).__name__, everything.total_count,
                                sorted({i.public_organization_data.name for i in everything.data
                                        if i.public_organization_data})],
                ["OrganizationInvitationsWithPublicOrganizationData", 7, ["Py Invite Co", "Py Invite Two"]])
    check_equal("get_all: newest first", everything and inv_ids(everything)[0], second_inv.id)
    queried = call("get_all query", lambda: oi.get_all(query="new.person"))
    check_equal("get_all: query (a substring of the address)",
                queried and [[(i.id, i.public_organization_data and i.public_organization_data.name)
                              for i in queried.data], queried.total_count],
                [[(second_inv.id, "Py Invite Two"), (inv.id, "Py Invite Co")], 2])
    revoked_all = call("get_all status revoked", lambda: oi.get_all(status="revoked"))
    check_equal("get_all: status=revoked", revoked_all and [set(inv_ids(revoked_all)), revoked_all.total_count],
                [{plain.id, bulk_c.id}, 2])
    pending_all = call("get_all status pending order_by email_address", lambda: oi.get_all(
        status="pending", order_by="email_address"))
    check_equal("get_all: status=pending, order_by email_address", pending_all and [inv_emails(pending_all),
                                                                                   pending_all.total_count],
                [["bulk-a@example.com", "bulk-b@example.com", "new.person@example.com", "new.person@example.com",
                  "quiet@example.com"], 5])
    last = call("get_all order_by -email_address limit/offset", lambda: oi.get_all(
        order_by="-email_address", limit=2, offset=1))
    check_equal("get_all: order_by -email_address, limit 2 offset 1", last and [inv_emails(last), last.total_count],
                [["plain@example.com", "new.person@example.com"], 7])

    # ------------------------------------------------------------ the accept
    status, body = raw_api("POST", f"/organizations/{oid}/invitations/{inv.id}/accept", {"user_id": joiner.id})
    check_equal("POST …/accept (Roster extension): 200, the membership with the invited role and metadata",
                [status, body.get("object"), body.get("role"), body.get("public_metadata"),
                 body.get("private_metadata"), (body.get("public_user_data") or {}).get("user_id")],
                [200, "organization_membership", "org:member", {"team": {"name": "red"}}, {"seat": 7}, joiner.id])
    joined = call("organization_memberships.list after the accept", lambda: clerk.organization_memberships.list(
        organization_id=oid, user_id=[joiner.id]))
    check_equal("after the accept: the SDK reads one membership, with the invited role and metadata",
                joined and [[(m.id, m.role, m.role_name, m.public_metadata, m.private_metadata, uid(m))
                             for m in joined.data], joined.total_count],
                [[(body.get("id"), "org:member", "Member", {"team": {"name": "red"}}, {"seat": 7}, joiner.id)], 1])
    parsed = call("the accept answer parses as models.OrganizationMembership",
                  lambda: models.OrganizationMembership.model_validate(body))
    check_equal("the accept answer = the SDK's read of the membership", parsed, joined and joined.data[0])
    now_accepted = call("organization_invitations.get after the accept", lambda: oi.get(
        organization_id=oid, invitation_id=inv.id))
    check_equal("after the accept: the invitation reads accepted", now_accepted and now_accepted.status, "accepted")
    accepted = call("list status accepted", lambda: oi.list(organization_id=oid, status="accepted"))
    check_equal("list: status=accepted", accepted and [inv_ids(accepted), accepted.total_count], [[inv.id], 1])
    mine_accepted = call("users.get_organization_invitations status accepted", lambda:
                         clerk.users.get_organization_invitations(user_id=joiner.id, status="accepted"))
    check_equal("users.get_organization_invitations: status=accepted",
                mine_accepted and [[(i.id, i.status) for i in mine_accepted.data], mine_accepted.total_count],
                [[(inv.id, "accepted")], 1])
    all_accepted = call("get_all status accepted", lambda: oi.get_all(status="accepted"))
    check_equal("get_all: status=accepted", all_accepted and inv_ids(all_accepted), [inv.id])
    status, again = raw_api("POST", f"/organizations/{oid}/invitations/{inv.id}/accept", {"user_id": joiner.id})
    check_equal("POST …/accept again: 400 organization_invitation_already_accepted",
                [status, ((again.get("errors") or [{}])[0]).get("code")],
                [400, "organization_invitation_already_accepted"])
    status, wrong = raw_api("POST", f"/organizations/{oid}/invitations/{bulk_a.id}/accept", {"user_id": joiner.id})
    check_equal("POST …/accept by a user without the invitation's address: 400 "
                "organization_invitation_identification_not_exist",
                [status, ((wrong.get("errors") or [{}])[0]).get("code")],
                [400, "organization_invitation_identification_not_exist"])
    counted = call("organizations.get after the accept", lambda: clerk.organizations.get(
        organization_id=oid, include_members_count=True))
    check_equal("organizations.get: members_count and pending_invitations_count after the accept",
                counted and [counted.members_count, counted.pending_invitations_count], [3, 3])


# ---------------------------------------------------------------- organization domains
# A verified domain in automatic_invitation mode invites the users already at it (and those who sign up later):
# those invitations are counted in total_pending_invitations and listed instance-wide and per user, not in the
# organization's list.
def domain_ids(page) -> list:
    return [d.id for d in (page.data if page else [])]


def domains_section() -> None:
    od, oi = clerk.organization_domains, clerk.organization_invitations
    people = {}
    for email in ["owner@py-domain.test", "pat@py-domain.test", "quinn@py-domain.test", "sam@py-suggest.test"]:
        people[email.split("@")[0]] = call(f"users.create {email}", lambda: clerk.users.create(email_address=[email]))
    owner, pat, quinn, sam = (people[k] for k in ("owner", "pat", "quinn", "sam"))
    dom_org = call("organizations.create (domains)", lambda: clerk.organizations.create(
        request={"name": "Py Domain Co", "slug": "py-domain-co", "created_by": owner.id}))
    oid = dom_org.id

    expect_error("organization_domains.create before domains are enabled", lambda: od.create(
        organization_id=oid, name="py-domain.test", enrollment_mode="automatic_invitation", verified=True),
        403, "organization_domains_not_enabled")
    settings = call("instance_settings.update_organization_settings (automatic_invitation only)", lambda:
                    clerk.instance_settings.update_organization_settings(request={
                        "domains_enabled": True, "domains_enrollment_modes": ["automatic_invitation"]}))
    check_equal("update_organization_settings: a models.OrganizationSettings, domains enabled",
                settings and [type(settings).__name__, settings.domains_enabled, settings.domains_enrollment_modes],
                ["OrganizationSettings", True, ["automatic_invitation"]])
    expect_error("organization_domains.create in a mode the instance has not enabled", lambda: od.create(
        organization_id=oid, name="py-suggest.test", enrollment_mode="automatic_suggestion", verified=True),
        403, "organization_domain_enrollment_mode_not_enabled")
    settings = call("instance_settings.update_organization_settings (both automatic modes)", lambda:
                    clerk.instance_settings.update_organization_settings(request={
                        "domains_enabled": True,
                        "domains_enrollment_modes": ["automatic_invitation", "automatic_suggestion"]}))
    check_equal("update_organization_settings: both automatic modes",
                settings and settings.domains_enrollment_modes, ["automatic_invitation", "automatic_suggestion"])
    got_settings = call("instance_settings.get_organization_settings", lambda:
                        clerk.instance_settings.get_organization_settings())
    check_equal("get_organization_settings reads them back", got_settings, settings)

    # The SDK sends just the name: manual_invitation and unverified are the server's defaults.
    minimal = call("organization_domains.create minimal", lambda: od.create(organization_id=oid, name="py-minimal.test"))
    check("create: a models.OrganizationDomain with id orgdmn_…",
          isinstance(minimal, models.OrganizationDomain) and minimal.id.startswith("orgdmn_"), minimal)
    av = minimal and minimal.affiliation_verification
    check_equal("create with just a name: manual_invitation, unverified, nobody enrolled",
                minimal and [minimal.name, minimal.organization_id, minimal.enrollment_mode,
                             minimal.affiliation_email_address, av and av.status, av and av.verified_at,
                             minimal.ownership_verification, minimal.total_pending_invitations,
                             minimal.total_pending_suggestions],
                ["py-minimal.test", oid, "manual_invitation", None, "unverified", None, None, 0, 0])
    check_equal("create: public_organization_data parsed (not Unset)",
                minimal and [type(minimal.public_organization_data).__name__,
                             getattr(minimal.public_organization_data, "id", None),
                             getattr(minimal.public_organization_data, "slug", None)],
                ["PublicOrganizationData", oid, "py-domain-co"])

    # quinn has a pending invitation already: the domain makes no second one. The owner is a member.
    quinn_inv = call("create quinn's invitation", lambda: oi.create(
        organization_id=oid, email_address="quinn@py-domain.test", role="org:admin"))
    domain = call("organization_domains.create automatic_invitation verified", lambda: od.create(
        organization_id=oid, name="py-domain.test", enrollment_mode="automatic_invitation", verified=True))
    av = domain and domain.affiliation_verification
    ov = domain and domain.ownership_verification
    check_equal("create verified automatic_invitation: verified by the admin; pat invited (not the owner, not quinn)",
                domain and [domain.enrollment_mode, av and av.status, av and av.strategy, ov and ov.status,
                            ov and ov.strategy, domain.total_pending_invitations, domain.total_pending_suggestions],
                ["automatic_invitation", "verified", "admin", "verified", "admin", 1, 0])
    check("create: verified_at and timestamps in ms",
          domain is not None and domain.created_at > 10**12 and (av.verified_at or 0) >= domain.created_at, domain)

    pats = call("users.get_organization_invitations pat", lambda: clerk.users.get_organization_invitations(
        user_id=pat.id))
    check_equal("the domain's invitation to pat: pending, the domains default role, no inviter",
                pats and [[(i.email_address, i.organization_id, i.role, i.status, i.inviter_id,
                            i.public_organization_data and i.public_organization_data.id) for i in pats.data],
                          pats.total_count],
                [[("pat@py-domain.test", oid, "org:member", "pending", None, oid)], 1])
    instance_wide = call("get_all query py-domain.test", lambda: oi.get_all(query="@py-domain.test", status="pending"))
    check_equal("get_all: the domain's invitation is in the instance-wide list (with quinn's)",
                instance_wide and [sorted(inv_emails(instance_wide)), instance_wide.total_count],
                [["pat@py-domain.test", "quinn@py-domain.test"], 2])
    listed_invs = call("organization_invitations.list (domains)", lambda: oi.list(organization_id=oid))
    check_equal("organization_invitations.list: the domain's invitations are not in the organization's list",
                listed_invs and [inv_ids(listed_invs), listed_invs.total_count], [[quinn_inv.id], 1])
    counted = call("organizations.get (domains)", lambda: clerk.organizations.get(
        organization_id=oid, include_members_count=True))
    check_equal("organizations.get: pending_invitations_count counts the domain's invitation",
                counted and [counted.members_count, counted.pending_invitations_count], [1, 2])
    late = call("users.create late@py-domain.test", lambda: clerk.users.create(email_address=["late@py-domain.test"]))
    lates = call("users.get_organization_invitations late", lambda: clerk.users.get_organization_invitations(
        user_id=late.id, status="pending"))
    check_equal("a user created at the domain afterwards is invited",
                lates and [(i.email_address, i.organization_id, i.status) for i in lates.data],
                [("late@py-domain.test", oid, "pending")])

    suggest = call("organization_domains.create automatic_suggestion unverified", lambda: od.create(
        organization_id=oid, name="py-suggest.test", enrollment_mode="automatic_suggestion", verified=False))
    check_equal("create unverified automatic_suggestion: nobody enrolled",
                suggest and [suggest.enrollment_mode, suggest.affiliation_verification.status,
                             suggest.ownership_verification, suggest.total_pending_suggestions],
                ["automatic_suggestion", "unverified", None, 0])
    rival = call("organizations.create (domains 2)", lambda: clerk.organizations.create(
        request={"name": "Py Rival Co", "created_by": owner.id}))
    rival_domain = call("organization_domains.create in another organization", lambda: od.create(
        organization_id=rival.id, name="py-rival.test", enrollment_mode="manual_invitation", verified=True))

    # ------------------------------------------------------------ the organization's list
    lst = call("organization_domains.list", lambda: od.list(organization_id=oid))
    check_equal("list: models.OrganizationDomains, newest first, the counts as they are now",
                lst and [type(lst).__name__, [(d.id, d.total_pending_invitations) for d in lst.data], lst.total_count],
                ["OrganizationDomains", [(suggest.id, 0), (domain.id, 2), (minimal.id, 0)], 3])
    for label, kw, expected in [
        ("verified=true", {"verified": "true"}, [domain]),
        ("verified=false", {"verified": "false"}, [suggest, minimal]),
        ("enrollment_mode=automatic_suggestion", {"enrollment_mode": "automatic_suggestion"}, [suggest]),
        ("verified=false, enrollment_mode=manual_invitation",
         {"verified": "false", "enrollment_mode": "manual_invitation"}, [minimal]),
    ]:
        page = call(f"list {label}", lambda: od.list(organization_id=oid, **kw))
        check_equal(f"list: {label}", page and [domain_ids(page), page.total_count],
                    [[d.id for d in expected], len(expected)])
    page = call("list limit/offset", lambda: od.list(organization_id=oid, limit=1, offset=1))
    check_equal("list: limit 1 offset 1", page and [domain_ids(page), page.total_count], [[domain.id], 3])

    # ------------------------------------------------------------ the instance-wide list
    everything = call("organization_domains.list_all", lambda: od.list_all())
    check_equal("list_all: every organization's domains, newest first",
                everything and [type(everything).__name__, domain_ids(everything), everything.total_count],
                ["OrganizationDomains", [rival_domain.id, suggest.id, domain.id, minimal.id], 4])
    for label, kw, expected in [
        ("organization_id", {"organization_id": rival.id}, [rival_domain]),
        ("verified=false", {"verified": "false"}, [suggest, minimal]),
        ("enrollment_mode -manual_invitation", {"enrollment_mode": ["-manual_invitation"]}, [suggest, domain]),
        ("enrollment_mode -manual_invitation,-automatic_suggestion",
         {"enrollment_mode": ["-manual_invitation", "-automatic_suggestion"]}, [domain]),
        ("enrollment_mode automatic_invitation,automatic_suggestion",
         {"enrollment_mode": ["automatic_invitation", "automatic_suggestion"]}, [suggest, domain]),
        ("verified=true, enrollment_mode manual_invitation",
         {"verified": "true", "enrollment_mode": ["manual_invitation"]}, [rival_domain]),
        ("domains (repeated)", {"domains": ["py-domain.test", "PY-minimal.test"]}, [domain, minimal]),
        ("query", {"query": "suggest"}, [suggest]),
        ("order_by name", {"order_by": "name"}, [domain, minimal, rival_domain, suggest]),
        ("order_by -name, limit 2 offset 1", {"order_by": "-name", "limit": 2, "offset": 1}, [rival_domain, minimal]),
    ]:
        page = call(f"list_all {label}", lambda: od.list_all(**kw))
        total = 4 if "limit" in kw else len(expected)
        check_equal(f"list_all: {label}", page and [domain_ids(page), page.total_count],
                    [[d.id for d in expected], total])

    # ------------------------------------------------------------ verify_ownership, update
    owned = call("organization_domains.verify_ownership", lambda: od.verify_ownership(
        organization_id=oid, domain_id=suggest.id))
    ov = owned and owned.ownership_verification
    check_equal("verify_ownership: verified (manual_override); sam suggested",
                owned and [type(owned).__name__, owned.id, owned.affiliation_verification.status,
                           owned.affiliation_verification.strategy, ov and ov.status, ov and ov.strategy,
                           type(ov and ov.verified_at).__name__, owned.total_pending_suggestions,
                           owned.total_pending_invitations],
                ["OrganizationDomain", suggest.id, "verified", "manual_override", "verified", "manual_override",
                 "int", 1, 0])
    again = call("verify_ownership again", lambda: od.verify_ownership(organization_id=oid, domain_id=suggest.id))
    check_equal("verify_ownership of a verified domain: returned as it is", again, owned)
    switched = call("organization_domains.update enrollment_mode automatic_invitation", lambda: od.update(
        organization_id=oid, domain_id=suggest.id, enrollment_mode="automatic_invitation"))
    check_equal("update enrollment_mode automatic_invitation: sam invited",
                switched and [switched.enrollment_mode, switched.affiliation_verification.status,
                              switched.total_pending_invitations],
                ["automatic_invitation", "verified", 1])
    sams = call("users.get_organization_invitations sam", lambda: clerk.users.get_organization_invitations(
        user_id=sam.id))
    check_equal("sam's invitation from the domain",
                sams and [(i.email_address, i.organization_id, i.role, i.status) for i in sams.data],
                [("sam@py-suggest.test", oid, "org:member", "pending")])
    verified = call("organization_domains.update verified=True", lambda: od.update(
        organization_id=oid, domain_id=minimal.id, verified=True))
    check_equal("update verified=True: verified by the admin, still manual_invitation",
                verified and [verified.enrollment_mode, verified.affiliation_verification.status,
                              verified.affiliation_verification.strategy, verified.ownership_verification.status
                              if verified.ownership_verification else None],
                ["manual_invitation", "verified", "admin", "verified"])
    unverified = call("organization_domains.update verified=False", lambda: od.update(
        organization_id=oid, domain_id=minimal.id, verified=False))
    check_equal("update verified=False: unverified again",
                unverified and [unverified.affiliation_verification.status,
                                unverified.affiliation_verification.verified_at, unverified.ownership_verification],
                ["unverified", None, None])

    # The domain's invitation accepted (Roster's extension): a membership with the domains default role.
    late_inv = lates.data[0] if lates and lates.data else None
    status, body = raw_api("POST", f"/organizations/{oid}/invitations/{late_inv and late_inv.id}/accept",
                           {"user_id": late.id})
    check_equal("POST …/accept of a domain invitation: 200, org:member", [status, body.get("role")],
                [200, "org:member"])
    late_member = call("organization_memberships.list late", lambda: clerk.organization_memberships.list(
        organization_id=oid, user_id=[late.id]))
    check_equal("after the accept: the SDK reads the membership",
                late_member and [(m.role, m.public_metadata, uid(m)) for m in late_member.data],
                [("org:member", {}, late.id)])

    # ------------------------------------------------------------ errors
    expect_error("create: a name the organization has", lambda: od.create(
        organization_id=oid, name="py-domain.test"), 422, "organization_domain_already_exists_same_organization",
        param_name="name")
    expect_error("create: another organization's name", lambda: od.create(
        organization_id=oid, name="py-rival.test"), 422, "organization_domain_already_exists", param_name="name")
    expect_error("create: a common email provider", lambda: od.create(organization_id=oid, name="gmail.com"),
                 422, "organization_domain_common", param_name="name")
    expect_error("create: not a domain name", lambda: od.create(organization_id=oid, name="not a domain"),
                 422, "form_param_format_invalid", param_name="name")
    expect_error("create: an unknown enrollment_mode", lambda: od.create(
        organization_id=oid, name="py-weird.test", enrollment_mode="weird"), 422, "form_param_value_invalid",
        param_name="enrollment_mode")
    expect_error("update: an unknown enrollment_mode", lambda: od.update(
        organization_id=oid, domain_id=minimal.id, enrollment_mode="weird"), 422, "form_param_value_invalid",
        param_name="enrollment_mode")
    expect_error("update: unknown domain", lambda: od.update(
        organization_id=oid, domain_id="orgdmn_nope", verified=True), 404, "resource_not_found")
    expect_error("verify_ownership: unknown domain", lambda: od.verify_ownership(
        organization_id=oid, domain_id="orgdmn_nope"), 404, "resource_not_found")

    # ------------------------------------------------------------ delete
    gone = call("organization_domains.delete", lambda: od.delete(organization_id=oid, domain_id=domain.id))
    check_equal("delete: a models.DeletedObject", gone and [type(gone).__name__, gone.object, gone.id, gone.deleted],
                ["DeletedObject", "organization_domain", domain.id, True])
    pats = call("users.get_organization_invitations pat after the delete", lambda:
                clerk.users.get_organization_invitations(user_id=pat.id))
    late_now = call("the accepted domain invitation after the delete", lambda: oi.get(
        organization_id=oid, invitation_id=late_inv.id))
    check_equal("deleting the domain revokes its pending invitations (the accepted one stays)",
                [pats and [i.status for i in pats.data], late_now and late_now.status], [["revoked"], "accepted"])
    revoked_all = call("get_all status revoked after the delete", lambda: oi.get_all(
        status="revoked", query="@py-domain.test"))
    check_equal("get_all: status=revoked lists pat's", revoked_all and inv_emails(revoked_all), ["pat@py-domain.test"])
    expect_error("delete again", lambda: od.delete(organization_id=oid, domain_id=domain.id), 404, "resource_not_found")
    for d, o in [(suggest, oid), (minimal, oid), (rival_domain, rival.id)]:
        left = call(f"organization_domains.delete {d.name}", lambda: od.delete(organization_id=o, domain_id=d.id))
        check_equal(f"delete {d.name}", left and [left.id, left.deleted], [d.id, True])
    remaining = call("list_all after the deletes", lambda: od.list_all())
    check_equal("list_all after the deletes: none", remaining and remaining.total_count, 0)


# ---------------------------------------------------------------- session tokens
# Roster's tokens verified by the SDK itself, as an app's backend does. `verify_token` takes an api_url and fetches
# the keys from Roster's GET /v1/jwks; `authenticate_request` has no api_url (without jwt_key it would ask
# https://api.clerk.com), so it gets the instance's key as a PEM built from Roster's JWKS: networkless verification.
ISSUER = os.environ.get("ROSTER_ISSUER", "https://clerk.roster.local")


class OtherRoster:
    """Another roster (ROSTER_BIN) on port 0 with a fresh SQLite file: a second, unrelated instance. Starts at once;
    `wait()` gives its origin once it listens."""

    def __init__(self) -> None:
        binary = os.environ.get("ROSTER_BIN")
        if not binary:
            raise RuntimeError("ROSTER_BIN (the roster binary) is not set")
        self.dir = tempfile.mkdtemp(prefix="roster-compat-other-")
        self.url = None
        self.ready = threading.Event()
        with open(os.path.join(self.dir, "stderr"), "w") as err:
            self.proc = subprocess.Popen(
                [binary, "serve", "--listen", "127.0.0.1:0", "--database-url", f"sqlite://{self.dir}/roster.db"],
                env={**os.environ, "ROSTER_SECRET_KEY": SECRET_KEY, "ROSTER_LOG": "warn"},
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)
        atexit.register(self.stop)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        # Reading every line also keeps its stdout drained.
        for line in self.proc.stdout:
            if self.url is None and line.startswith("roster listening on "):
                self.url = line[len("roster listening on "):].strip()
                self.ready.set()
        self.ready.set()

    def wait(self, timeout: float = 60) -> str:
        self.ready.wait(timeout)
        if self.url is None:
            with open(os.path.join(self.dir, "stderr")) as err:
                raise RuntimeError(f"second roster did not start; its stderr: {err.read()}")
        return self.url

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def jwt_part(token, i: int) -> dict:
    """A JWT's header (0) or payload (1), decoded without verification; {} when it is not a JWT."""
    try:
        part = str(token).split(".")[i]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}


def expect_rejected(name: str, fn, reason: TokenVerificationErrorReason) -> bool:
    """The verification must raise TokenVerificationError with this reason."""
    try:
        value = fn()
    except TokenVerificationError as e:
        return check(name, e.reason is reason, {"expected": reason.value[0], "actual": e.reason.value[0]})
    except Exception as e:  # noqa: BLE001
        return check(name, False, {"expected": reason.value[0], "actual": describe(e)})
    return check(name, False, {"expected": reason.value[0], "actual": "accepted", "value": value})


def tokens_section() -> None:
    other = OtherRoster()  # started now, used at the end
    try:
        tokens_checks(other)
    finally:
        other.stop()


def tokens_checks(other: OtherRoster) -> None:
    om = clerk.organization_memberships
    remote = VerifyTokenOptions(secret_key=SECRET_KEY, api_url=API_URL)
    # nora belongs to no organization (a session picks the user's latest organization when given none).
    people = {}
    for key in ("ada", "max", "bill", "nora"):
        people[key] = call(f"users.create {key} (tokens)", lambda: clerk.users.create(
            email_address=[f"tokens-{key}@example.com"]))
    tok_org = call("organizations.create (tokens)", lambda: clerk.organizations.create(
        request={"name": "Token Co", "slug": "token-co", "created_by": people["ada"].id}))
    sessions = {"ada": call("sessions.create ada", lambda: clerk.sessions.create(
        request={"user_id": people["ada"].id, "active_organization_id": tok_org.id}))}
    # Issued first: it must have expired by the end of the section.
    short = call("sessions.create_token expires_in_seconds=30", lambda: clerk.sessions.create_token(
        session_id=sessions["ada"].id, expires_in_seconds=30))
    short_jwt = short and short.jwt

    # A custom role, org:billing, with two custom permissions; org:invoices:write exists but is not given.
    perm = {}
    for key, name in [("org:invoices:read", "Read invoices"), ("org:invoices:write", "Write invoices"),
                      ("org:reports:read", "Read reports")]:
        perm[key] = call(f"organization_permissions.create {key}", lambda: clerk.organization_permissions.create(
            name=name, key=key, description=name))
    billing = call("organization_roles.create org:billing", lambda: clerk.organization_roles.create(
        name="Billing", key="org:billing", description="Reads invoices and reports",
        permissions=[perm["org:invoices:read"].id, perm["org:reports:read"].id]))
    check_equal("organization_roles.create: a models.Role with its permissions",
                billing and [type(billing).__name__, billing.key, {p.key for p in billing.permissions or []}],
                ["Role", "org:billing", {"org:invoices:read", "org:reports:read"}])
    for key, role in [("max", "org:member"), ("bill", "org:billing")]:
        call(f"organization_memberships.create {key}", lambda: om.create(
            organization_id=tok_org.id, user_id=people[key].id, role=role))
    listed = call("organization_memberships.list (tokens)", lambda: om.list(organization_id=tok_org.id))
    perms_of = {uid(m): set(m.permissions or []) for m in (listed.data if listed else [])}
    for key in ("max", "bill"):
        sessions[key] = call(f"sessions.create {key}", lambda: clerk.sessions.create(
            request={"user_id": people[key].id, "active_organization_id": tok_org.id}))
    sessions["nora"] = call("sessions.create without organization", lambda: clerk.sessions.create(
        request={"user_id": people["nora"].id}))

    def token_of(key: str, name: str) -> str | None:
        t = call(name, lambda: clerk.sessions.create_token(session_id=sessions[key].id))
        return t and t.jwt

    # ------------------------------------------------------------ issue and verify
    issued = call("sessions.create_token", lambda: clerk.sessions.create_token(session_id=sessions["ada"].id))
    check_equal("create_token: object token, a compact JWS",
                issued and [getattr(issued.object, "value", issued.object), len(str(issued.jwt).split("."))],
                ["token", 3])
    jwts = {"ada": issued and issued.jwt}
    header = jwt_part(jwts["ada"], 0)
    jwks = call("jwks.get_jwks", lambda: clerk.jwks.get_jwks())
    check_equal("GET /v1/jwks: one RSA signing key, the one named in the token header",
                jwks and [[(k.kid, k.kty, k.alg, k.use, k.e) for k in jwks.keys or []], header],
                [[(header.get("kid"), "RSA", "RS256", "sig", "AQAB")], {"alg": "RS256", "kid": header.get("kid"),
                                                                         "typ": "JWT"}])
    claims = call("verify_token (api_url)", lambda: verify_token(jwts["ada"], remote))
    check_equal("verify_token: the claims (v2, the active organization)", claims and {
        "sub": claims.get("sub"), "sid": claims.get("sid"), "iss": claims.get("iss"), "azp": claims.get("azp"),
        "v": claims.get("v"), "fva": claims.get("fva"), "lifetime": claims["exp"] - claims["iat"],
        "nbf_before_iat": claims["iat"] - claims["nbf"],
        "o": {k: (claims.get("o") or {}).get(k) for k in ("id", "slg", "rol")},
    }, {
        "sub": people["ada"].id, "sid": sessions["ada"].id, "iss": ISSUER,
        "azp": os.environ.get("ROSTER_AUTHORIZED_PARTY"), "v": 2, "fva": [0, -1], "lifetime": 60,
        "nbf_before_iat": 10, "o": {"id": tok_org.id, "slg": "token-co", "rol": "admin"},
    })
    short_claims = call("verify_token (30 s token)", lambda: verify_token(short_jwt, remote))
    check_equal("create_token expires_in_seconds=30: exp = iat + 30, valid now",
                short_claims and short_claims["exp"] - short_claims["iat"], 30)

    # ------------------------------------------------------------ authenticate_request with the JWKS key as PEM
    key = next((k for k in (jwks.keys if jwks else []) if k.kid == header.get("kid")), None)
    pem = RSAAlgorithm.from_jwk(key.model_dump(exclude_none=True)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    networkless = AuthenticateRequestOptions(jwt_key=pem)

    def authenticate(jwt: str | None):
        return clerk.authenticate_request(
            httpx.Request("GET", "http://localhost/api", headers={"Authorization": f"Bearer {jwt}"}), networkless)

    for key_name in ("max", "bill", "nora"):
        jwts[key_name] = token_of(key_name, f"sessions.create_token {key_name}")
    for key_name, role in [("ada", "admin"), ("max", "member"), ("bill", "billing")]:
        state = call(f"authenticate_request {key_name}", lambda: authenticate(jwts[key_name]))
        p = (state and state.payload) or {}
        check_equal(f"authenticate_request {key_name}: signed in, org_id, org_slug, org_role",
                    state and [state.is_signed_in, state.reason, p.get("sub"), p.get("sid"), p.get("org_id"),
                               p.get("org_slug"), p.get("org_role")],
                    [True, None, people[key_name].id, sessions[key_name].id, tok_org.id, "token-co", role])
        check_equal(f"authenticate_request {key_name}: org_permissions = the membership's permissions",
                    set(p.get("org_permissions") or []), perms_of.get(people[key_name].id))
        auth = call(f"to_auth {key_name}", lambda: state.to_auth())
        check_equal(f"to_auth {key_name}: a SessionAuthObjectV2",
                    auth and [type(auth).__name__, auth.sub, auth.sid, auth.org_id, auth.org_role],
                    ["SessionAuthObjectV2", people[key_name].id, sessions[key_name].id, tok_org.id, role])
    check_equal("org_permissions of org:admin: the system permissions (Roster includes them)",
                perms_of.get(people["ada"].id),
                {"org:sys_billing:manage", "org:sys_billing:read", "org:sys_domains:manage", "org:sys_domains:read",
                 "org:sys_entconns:manage", "org:sys_memberships:manage", "org:sys_memberships:read",
                 "org:sys_profile:delete", "org:sys_profile:manage"})
    check_equal("org_permissions of org:member",
                perms_of.get(people["max"].id), {"org:sys_memberships:read", "org:sys_billing:read"})
    check_equal("org_permissions of org:billing: its custom permissions only (not org:invoices:write)",
                perms_of.get(people["bill"].id), {"org:invoices:read", "org:reports:read"})
    nora = call("authenticate_request without organization", lambda: authenticate(jwts["nora"]))
    check_equal("no active organization: signed in, no o claim, no org_id",
                nora and [nora.is_signed_in, (nora.payload or {}).get("sub"), "o" in (nora.payload or {}),
                          "org_id" in (nora.payload or {})],
                [True, people["nora"].id, False, False])

    # ------------------------------------------------------------ JWT templates
    template_claims = {"email": "{{user.primary_email_address}}",
                       "org": {"slug": "{{org.slug}}", "role": "{{org.role}}", "permissions": "{{org.permissions}}"}}
    # The SDK's request model for the claims has no fields, so pydantic drops every claim it is given: the
    # template is created with a raw request (the SDK's own headers) and read back through the SDK.
    dropped = models.CreateJWTTemplateRequestBody.model_validate(
        {"name": "x", "claims": template_claims}).model_dump(by_alias=True)["claims"]
    check_equal("clerk-backend-api limitation: jwt_templates.create would send claims {}", dropped, {})
    raw = httpx.post(f"{SERVER_URL}/jwt_templates",
                     headers={"Authorization": f"Bearer {SECRET_KEY}", "Clerk-API-Version": "2025-11-10",
                              "Accept": "application/json"},
                     json={"name": "compat-invoices", "claims": template_claims, "lifetime": 120,
                           "allowed_clock_skew": 7}, timeout=10)
    created = raw.json() if raw.status_code == 200 else {}
    check_equal("POST /v1/jwt_templates (raw): 200, the claims as given",
                [raw.status_code, created.get("claims")], [200, template_claims])
    got = call("jwt_templates.get", lambda: clerk.jwt_templates.get(template_id=created.get("id")))
    check_equal("jwt_templates.get: a models.JWTTemplate",
                got and [type(got).__name__, got.name, got.lifetime, got.allowed_clock_skew, got.custom_signing_key,
                         got.signing_algorithm],
                ["JWTTemplate", "compat-invoices", 120, 7, False, "RS256"])
    templ = call("sessions.create_token_from_template", lambda: clerk.sessions.create_token_from_template(
        session_id=sessions["bill"].id, template_name="compat-invoices"))
    templ_claims = call("verify_token (template token)", lambda: verify_token(templ.jwt, remote))
    check_equal("template token: verify_token accepts it; shortcodes rendered", templ_claims and {
        "kid": jwt_part(templ.jwt, 0).get("kid"), "sub": templ_claims.get("sub"), "iss": templ_claims.get("iss"),
        "email": templ_claims.get("email"), "org": templ_claims.get("org"),
        "lifetime": templ_claims["exp"] - templ_claims["iat"], "skew": templ_claims["iat"] - templ_claims["nbf"],
    }, {
        "kid": header.get("kid"), "sub": people["bill"].id, "iss": ISSUER, "email": "tokens-bill@example.com",
        "org": {"slug": "token-co", "role": "org:billing", "permissions": ["org:invoices:read", "org:reports:read"]},
        "lifetime": 120, "skew": 7,
    })
    # The spec declares no 400/422 for these operations, so the SDK raises its generic SDKError.
    expect_error("create_token expires_in_seconds=29", lambda: clerk.sessions.create_token(
        session_id=sessions["bill"].id, expires_in_seconds=29), 422, "form_param_value_invalid",
        error_type=models.SDKError, param_name="expires_in_seconds")
    call("sessions.revoke (tokens)", lambda: clerk.sessions.revoke(session_id=sessions["nora"].id))
    expect_error("create_token of a revoked session", lambda: clerk.sessions.create_token(
        session_id=sessions["nora"].id), 400, "invalid_action_for_session", error_type=models.SDKError)

    # ------------------------------------------------------------ tokens follow changes
    call("organization_memberships.update max -> org:billing", lambda: om.update(
        organization_id=tok_org.id, user_id=people["max"].id, role="org:billing"))
    promoted = call("authenticate_request max after role change", lambda: authenticate(
        token_of("max", "sessions.create_token max after role change")))
    check_equal("role change: the next token has the new role and its permissions",
                promoted and [promoted.is_signed_in, (promoted.payload or {}).get("org_role"),
                              set((promoted.payload or {}).get("org_permissions") or [])],
                [True, "billing", {"org:invoices:read", "org:reports:read"}])

    # ------------------------------------------------------------ rejections
    # Tampering: the member's own token, its role raised to admin, the signature kept.
    h, _, sig = str(jwts["bill"]).split(".")
    raised = jwt_part(jwts["bill"], 1)
    raised["o"] = {**(raised.get("o") or {}), "rol": "admin"}
    body = base64.urlsafe_b64encode(json.dumps(raised).encode()).rstrip(b"=").decode()
    tampered = f"{h}.{body}.{sig}"
    expect_rejected("tampered token: verify_token (api_url)", lambda: verify_token(tampered, remote),
                    TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE)
    state = call("authenticate_request tampered", lambda: authenticate(tampered))
    check_equal("tampered token: authenticate_request signed out", state and [state.is_signed_in, state.reason],
                [False, TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE])

    # Another instance: its own keys, so its token verifies against its own JWKS only.
    other_url = call("second roster started", other.wait)
    if other_url is None:
        return
    oc = Clerk(bearer_auth=SECRET_KEY, server_url=other_url + "/v1", retry_config=None, timeout_ms=10_000)
    stranger = call("other instance: users.create", lambda: oc.users.create(email_address=["stranger@example.com"]))
    s2 = call("other instance: sessions.create", lambda: oc.sessions.create(request={"user_id": stranger.id}))
    t2 = call("other instance: create_token", lambda: oc.sessions.create_token(session_id=s2.id))
    own = call("other instance: verify_token against its own JWKS", lambda: verify_token(
        t2.jwt, VerifyTokenOptions(secret_key=SECRET_KEY, api_url=other_url)))
    check_equal("other instance: its token verifies against its own JWKS, under another kid",
                [own and own.get("sub"), jwt_part(t2.jwt, 0).get("kid") != header.get("kid")], [stranger.id, True])
    expect_rejected("other instance token: verify_token against this instance", lambda: verify_token(t2.jwt, remote),
                    TokenVerificationErrorReason.JWK_KID_MISMATCH)
    state = call("authenticate_request other instance", lambda: authenticate(t2.jwt))
    check_equal("other instance token: authenticate_request (this instance's PEM) signed out",
                state and [state.is_signed_in, state.reason],
                [False, TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE])

    # Expiry: the 30 s token, past exp and the SDK's 5 s leeway.
    if short_claims:
        time.sleep(max(0.0, short_claims["exp"] + 5 + 1 - time.time()))
        expect_rejected("expired token: verify_token", lambda: verify_token(short_jwt, remote),
                        TokenVerificationErrorReason.TOKEN_EXPIRED)
        state = call("authenticate_request expired", lambda: authenticate(short_jwt))
        check_equal("expired token: authenticate_request signed out", state and [state.is_signed_in, state.reason],
                    [False, TokenVerificationErrorReason.TOKEN_EXPIRED])


# ---------------------------------------------------------------- webhooks
# Roster's event log delivered to a receiver in this process (http.server in a thread), every delivery verified with
# the standardwebhooks package (Clerk's svix-* headers are Standard Webhooks' webhook-* ones), and compared with
# GET /v1/events and with what the SDK reads back right after each write. A second endpoint, taking
# organizationMembership.updated only, answers 500 to every first attempt: the retry must carry the same svix-id and
# a signature that verifies (run.sh sets ROSTER_WEBHOOK_RETRY_SCHEDULE short; the default's first retry is after 5 s).
class Receiver:
    """A receiver on 127.0.0.1, port 0, in a thread, recording every request; `respond(delivery, earlier)` is the
    status it answers."""

    def __init__(self, respond=lambda d, earlier: 200) -> None:
        self.deliveries: list = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                d = {"received_at": time.time(), "path": self.path, "body": body,
                     "headers": {k.lower(): v for k, v in self.headers.items()}}
                with outer.lock:
                    d["status"] = respond(d, list(outer.deliveries))
                    outer.deliveries.append(d)
                self.send_response(d["status"])
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def got(self) -> list:
        with self.lock:
            return list(self.deliveries)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def raw_api(method: str, path: str, body=None):
    """A raw request to Roster's API, for the Roster extensions the SDK has no methods for: (status, JSON)."""
    r = httpx.request(method, f"{SERVER_URL}{path}", headers={"Authorization": f"Bearer {SECRET_KEY}"},
                      json=body, timeout=10)
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, r.text


def events_after(after=None, **filters) -> list:
    """Every event after the id `after` (all of them without it), paging through GET /v1/events."""
    out, cursor = [], after
    while True:
        params = {"limit": 500, **filters, **({"after": cursor} if cursor else {})}
        r = httpx.get(f"{SERVER_URL}/events", params=params, headers={"Authorization": f"Bearer {SECRET_KEY}"},
                      timeout=10)
        r.raise_for_status()
        page = r.json()
        out.extend(page["data"])
        if not page["has_more"] or not page["data"]:
            return out
        cursor = page["data"][-1]["id"]


def until(name: str, probe, seconds: float, details=None):
    """Polls `probe` every 50 ms until it returns something truthy; after `seconds` the check `name` fails."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            check(f"{name} (waited {seconds} s)", False, details() if details else None)
            return None
        time.sleep(0.05)


def verify_delivery(d: dict, secret: str, body: str | None = None):
    """standardwebhooks' verify on a delivery (or on its headers with another body): the payload, or the error."""
    h = d["headers"]
    try:
        return Webhook(secret).verify(d["body"] if body is None else body, {
            "webhook-id": h.get("svix-id", ""), "webhook-timestamp": h.get("svix-timestamp", ""),
            "webhook-signature": h.get("svix-signature", "")})
    except WebhookVerificationError as e:
        return e


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def webhooks_section() -> None:
    om = clerk.organization_memberships
    ok = Receiver()
    flaky = Receiver(lambda d, earlier: 200 if any(x["headers"].get("svix-id") == d["headers"].get("svix-id")
                                                   for x in earlier) else 500)
    try:
        webhooks_checks(om, ok, flaky)
    finally:
        ok.close()
        flaky.close()


def webhooks_checks(om, ok: Receiver, flaky: Receiver) -> None:
    # Where the log stands: a marker write, once GET /v1/events lists it (every earlier event with it), is the
    # cursor; the endpoints come after it.
    marker = clerk.users.create(email_address=["py-hooks-marker@example.com"])
    before = until("GET /v1/events lists the marker write",
                   lambda: (lambda all_: all_ and all_[-1]["data"].get("id") == marker.id and all_)(events_after()), 10)
    if not before:
        return
    cursor = before[-1]["id"]

    status, endpoint = raw_api("POST", "/webhook_endpoints", {"url": ok.url})
    check_equal("POST /v1/webhook_endpoints: a webhook_endpoint with a whsec_ secret",
                [status, endpoint.get("object"), endpoint.get("url"), str(endpoint.get("secret")).startswith("whsec_")],
                [200, "webhook_endpoint", ok.url, True])
    flaky_secret = new_secret()
    status, flaky_endpoint = raw_api("POST", "/webhook_endpoints", {
        "url": flaky.url, "secret": flaky_secret, "event_types": ["organizationMembership.updated"]})
    check_equal("POST /v1/webhook_endpoints with event_types and a given secret",
                [status, flaky_endpoint.get("event_types"), flaky_endpoint.get("secret")],
                [200, ["organizationMembership.updated"], flaky_secret])
    secret = endpoint["secret"]

    # Writes through the SDK, each read back at once: (type, the SDK's model, the raw JSON of the same GET).
    def get_user(uid_):
        return clerk.users.get(user_id=uid_), raw_api("GET", f"/users/{uid_}")[1]

    def get_org(oid):
        return clerk.organizations.get(organization_id=oid), raw_api("GET", f"/organizations/{oid}")[1]

    def get_membership(oid, uid_):
        page = om.list(organization_id=oid, user_id=[uid_])
        raw = raw_api("GET", f"/organizations/{oid}/memberships?user_id={uid_}")[1]
        return page.data[0], raw["data"][0]

    expected = []
    owner = clerk.users.create(email_address=["py-hooks-owner@example.com"], first_name="Owner")
    expected.append(("user.created", models.User, *get_user(owner.id)))
    member = clerk.users.create(email_address=["py-hooks-member@example.com"], first_name="Member")
    expected.append(("user.created", models.User, *get_user(member.id)))
    hook_org = clerk.organizations.create(request={"name": "Py Hooks", "created_by": owner.id})
    expected.append(("organization.created", models.Organization, *get_org(hook_org.id)))
    expected.append(("organizationMembership.created", models.OrganizationMembership,
                     *get_membership(hook_org.id, owner.id)))
    om.create(organization_id=hook_org.id, user_id=member.id, role="org:member", public_metadata={"team": "py"})
    expected.append(("organizationMembership.created", models.OrganizationMembership,
                     *get_membership(hook_org.id, member.id)))
    om.update(organization_id=hook_org.id, user_id=member.id, role="org:admin")
    expected.append(("organizationMembership.updated", models.OrganizationMembership,
                     *get_membership(hook_org.id, member.id)))
    clerk.organizations.update(organization_id=hook_org.id, name="Py Hooks Inc")
    expected.append(("organization.updated", models.Organization, *get_org(hook_org.id)))

    log = until("GET /v1/events lists every write",
                lambda: (lambda es: len(es) >= len(expected) and es)(events_after(cursor)), 10) or []
    check_equal("GET /v1/events after the cursor: one event per write, in write order", [e["type"] for e in log],
                [t for t, *_ in expected])
    for i, (t, _, _, raw) in enumerate(expected):
        check_equal(f"GET /v1/events: {i} {t} data = the raw GET right after the write",
                    log[i]["data"] if i < len(log) else None, raw)
    log_ids = [e["id"] for e in log]
    by_id = {e["id"]: e for e in log}

    def delivered(r: Receiver):
        return {d["headers"].get("svix-id") for d in r.got() if d["status"] < 300}

    until("every event delivered", lambda: set(log_ids) <= delivered(ok), 30,
          lambda: {"expected": log_ids, "received": [d["headers"].get("svix-id") for d in ok.got()]})
    got = [d for d in ok.got() if str(d["headers"].get("svix-id")).startswith("evt_")]
    check_equal("svix-id = the ids GET /v1/events lists, each delivered once",
                sorted(d["headers"]["svix-id"] for d in got), log_ids)
    payloads = [verify_delivery(d, secret) for d in got]
    check("standardwebhooks verifies every delivery", all(isinstance(p, dict) for p in payloads),
          [str(p) for p in payloads if not isinstance(p, dict)])
    fields = ("data", "object", "type", "timestamp", "instance_id")
    check_equal("the verified payload is {data, object, type, timestamp, instance_id} as GET /v1/events lists it",
                [{k: p.get(k) for k in fields} if isinstance(p, dict) else str(p) for p in payloads],
                [{k: by_id[d["headers"]["svix-id"]][k] for k in fields} for d in got])
    data_of = {d["headers"]["svix-id"]: p.get("data") for d, p in zip(got, payloads) if isinstance(p, dict)}
    for i, (t, model, sdk, raw) in enumerate(expected):
        data = data_of.get(log[i]["id"]) if i < len(log) else None
        check_equal(f"delivery {i} {t}: data = the raw GET right after the write", data, raw)
        parsed = call(f"delivery {i} {t}: data parses as models.{model.__name__}", lambda: model.model_validate(data))
        check_equal(f"delivery {i} {t}: parsed, it equals the SDK's own GET", parsed, sdk)
    arrived = [by_id[d["headers"]["svix-id"]] for d in got]
    check_equal("the organization's events arrive in order",
                [e["type"] for e in arrived if (e["data"].get("organization") or {}).get("id", e["data"].get("id"))
                 == hook_org.id],
                ["organization.created", "organizationMembership.created", "organizationMembership.created",
                 "organizationMembership.updated", "organization.updated"])

    sample = next((d for d in got if '"role":"org:admin"' in d["body"]), None)
    check("tampering: a delivery naming org:admin", sample is not None)
    if sample:
        tampered = verify_delivery(sample, secret, sample["body"].replace('"role":"org:admin"', '"role":"org:owner"'))
        check_equal("tampering: a changed body is refused", [type(tampered).__name__, str(tampered)],
                    ["WebhookVerificationError", "No matching signature found"])
        other = verify_delivery(sample, new_secret())
        check_equal("tampering: another secret is refused", [type(other).__name__, str(other)],
                    ["WebhookVerificationError", "No matching signature found"])

    # Retries: 500 to the first attempt, then 200, under the same svix-id.
    updated = [e["id"] for e in log if e["type"] == "organizationMembership.updated"]
    until("the failing endpoint's event delivered on a retry", lambda: set(updated) <= delivered(flaky), 20,
          lambda: [(d["headers"].get("svix-id"), d["status"]) for d in flaky.got()])
    tries = flaky.got()
    check_equal("failing endpoint: 500, then a retry under the same svix-id (updated events only)",
                [(d["headers"].get("svix-id"), d["status"]) for d in tries], [(i, s) for i in updated for s in (500, 200)])
    verified = [verify_delivery(d, flaky_secret) for d in tries]
    check_equal("failing endpoint: standardwebhooks verifies both attempts (the given secret); the same body",
                [[p.get("type") if isinstance(p, dict) else str(p) for p in verified],
                 len({d["body"] for d in tries})],
                [["organizationMembership.updated"] * len(tries), len(updated)])
    status, attempts = raw_api("GET", f"/webhook_endpoints/{flaky_endpoint['id']}/attempts")
    check_equal("GET …/attempts: attempt 1 failed (500), attempt 2 succeeded",
                sorted((a["event_id"], a["attempt"], a["status"], a["response_status_code"])
                       for a in attempts.get("data", [])),
                [(i, n, s, c) for i in updated for n, s, c in ((1, "failed", 500), (2, "succeeded", 200))])

    for e in (endpoint, flaky_endpoint):
        status, gone = raw_api("DELETE", f"/webhook_endpoints/{e['id']}")
        check_equal(f"DELETE /v1/webhook_endpoints/{e['id']}", [status, gone.get("deleted")], [200, True])


section("users", users_section)
section("organizations", organizations_section)
section("memberships", memberships_section)
section("sessions", sessions_section)
section("invitations", invitations_section)
section("organization domains", domains_section)
section("session tokens", tokens_section)
section("webhooks", webhooks_section)

print(f"python clerk-backend-api {SDK_VERSION}: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 else 1)
