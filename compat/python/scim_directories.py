"""Drives a running Roster's SCIM directories through the official Python SDK, clerk-backend-api
(`clerk.scim_directories.*`, every method), and follows a directory end to end: a user its SCIM endpoint provisions
becomes a member of the directory's organization, a mapped group gives it its role, and a deleted directory's key is
refused.

    ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... python scim_directories.py

The SDK's create requires an `enterprise_connection_id`; Roster has no enterprise connections and takes an
organization id there as the organization the directory provisions, which is what this passes. The SCIM requests
themselves are plain HTTP (urllib), as an identity provider sends them.

Expects a fresh, empty instance. Closes with `python clerk-backend-api <version> scim directories: N passed,
M failed`; exits 1 if anything failed. Retries are off and every call has a 10 s timeout, as in suite.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from clerk_backend_api import Clerk, models
from clerk_backend_api.types import UNSET

from harness import API_URL, SECRET_KEY, check, clerk, code_of, eq, run

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"



def scim(method: str, url: str, key: str, body=None) -> tuple[int, dict | None]:
    """One SCIM request with the directory's key: its status and JSON body (None when it has none)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Accept": "application/scim+json",
        **({} if data is None else {"Content-Type": "application/scim+json"})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    return status, (json.loads(raw) if raw else None)


def no_key(d: models.SCIMDirectory) -> bool:
    return d.api_key in (UNSET, None)


def mappings(listed) -> list[tuple[str, int, str]]:
    return [(m.scim_group_id, m.precedence, m.role.key) for m in listed.data]


def members_of(org_id: str) -> dict[str, str]:
    """identifier (the user's email) -> role, of every member of the organization."""
    listed = clerk.organization_memberships.list(organization_id=org_id, limit=100)
    return {m.public_user_data.identifier: m.role for m in listed.data}


def main() -> None:
    roles = {r.key: r.id for r in clerk.organization_roles.list(limit=100).data}
    check("organization_roles.list has org:admin and org:member", {"org:admin", "org:member"} <= roles.keys(), roles)
    admin, member = roles["org:admin"], roles["org:member"]
    acme = clerk.organizations.create(request={"name": "Acme"})
    beta = clerk.organizations.create(request={"name": "Beta"})

    empty = clerk.scim_directories.list()
    eq("scim_directories.list on a fresh instance", (type(empty).__name__, empty.total_count, empty.data),
       ("SCIMDirectoryList", 0, []))

    # create: the organization as the enterprise connection, with mappings (one without a precedence).
    a = clerk.scim_directories.create(request={
        "enterprise_connection_id": acme.id, "provider": "okta", "name": "Corporate IdP",
        "group_role_mappings": [{"scim_group_id": "Admins", "role_id": admin, "precedence": 5},
                                {"scim_group_id": "Everyone", "role_id": member, "scim_group_display_name": "All"}]})
    check("scim_directories.create parses into SCIMDirectory", isinstance(a, models.SCIMDirectory), type(a))
    eq("scim_directories.create object", a.object, models.SCIMDirectoryObject.SCIM_DIRECTORY)
    check("scim_directories.create id is scimdir_", a.id.startswith("scimdir_"), a.id)
    eq("scim_directories.create fields", (a.name, a.provider, a.enabled, a.group_role_mapping_enabled,
                                          a.attribute_mapping, a.custom_attributes, a.enterprise_connection_id),
       ("Corporate IdP", "okta", True, True, {}, [], acme.id))
    eq("scim_directories.create endpoint_url", a.endpoint_url, f"{API_URL.rstrip('/')}/scim/v2/{a.id}")
    check("scim_directories.create endpoint_url ends with /scim/v2/<id>", a.endpoint_url.endswith(f"/scim/v2/{a.id}"),
          a.endpoint_url)
    check("scim_directories.create answers the api_key", isinstance(a.api_key, str) and a.api_key.startswith("scim_"),
          a.api_key)
    check("scim_directories.create timestamps", a.created_at > 1_600_000_000_000 and a.updated_at >= a.created_at,
          (a.created_at, a.updated_at))
    first_key = a.api_key
    status, body = scim("GET", f"{a.endpoint_url}/Users", first_key)
    eq("the api_key opens the directory's SCIM endpoint", (status, (body or {}).get("totalResults")), (200, 0))

    eq("scim_directories.create for an organization that has one",
       code_of(lambda: clerk.scim_directories.create(request={"enterprise_connection_id": acme.id,
                                                               "provider": "okta"})),
       "scim_directory_organization_already_used")
    eq("scim_directories.create with a connection that names no organization",
       code_of(lambda: clerk.scim_directories.create(request={"enterprise_connection_id": "ec_123",
                                                               "provider": "okta"})), "form_param_missing")
    eq("scim_directories.create with an empty provider",
       code_of(lambda: clerk.scim_directories.create(request={"enterprise_connection_id": beta.id, "provider": " "})),
       "form_param_missing")
    # The spec declares no 404 for create: an unknown organization is a 422 the SDK raises as ClerkErrors.
    eq("scim_directories.create for an unknown organization",
       code_of(lambda: clerk.scim_directories.create(request={"enterprise_connection_id": "org_missing",
                                                               "provider": "okta"})), "form_param_value_invalid")

    b = clerk.scim_directories.create(request={"enterprise_connection_id": beta.id, "provider": "entra_id"})
    eq("scim_directories.create without a name", (bool(b.name), b.provider, b.enterprise_connection_id),
       (True, "entra_id", beta.id))
    check("each directory has its own key", isinstance(b.api_key, str) and b.api_key != first_key, b.api_key)

    # get and list never show the key again.
    got = clerk.scim_directories.get(scim_directory_id=a.id)
    eq("scim_directories.get", (type(got).__name__, got.id, got.name, got.endpoint_url, got.created_at),
       ("SCIMDirectory", a.id, "Corporate IdP", a.endpoint_url, a.created_at))
    check("scim_directories.get answers no api_key", no_key(got), got.api_key)
    eq("scim_directories.get unknown", code_of(lambda: clerk.scim_directories.get(scim_directory_id="scimdir_missing")),
       "resource_not_found")
    listed = clerk.scim_directories.list()
    eq("scim_directories.list, newest first", (listed.total_count, [d.id for d in listed.data]), (2, [b.id, a.id]))
    check("scim_directories.list answers no api_key", all(no_key(d) for d in listed.data),
          [d.api_key for d in listed.data])
    paged = clerk.scim_directories.list(limit=1, offset=1)
    eq("scim_directories.list limit and offset", (paged.total_count, [d.id for d in paged.data]), (2, [a.id]))
    bad = Clerk(bearer_auth=SECRET_KEY + "x", server_url=API_URL.rstrip("/") + "/v1", retry_config=None,
                timeout_ms=10_000)
    eq("scim_directories.list with a wrong secret key", code_of(lambda: bad.scim_directories.list()),
       "clerk_key_invalid")

    # update: fields, merged attribute mappings, the switch that closes the SCIM endpoint.
    up = clerk.scim_directories.update(scim_directory_id=a.id, name="Okta",
                                       attribute_mapping={"first_name": "name.givenName", "email_address": "emails.value"})
    eq("scim_directories.update", (type(up).__name__, up.name, up.attribute_mapping),
       ("SCIMDirectory", "Okta", {"first_name": "name.givenName", "email_address": "emails.value"}))
    check("scim_directories.update answers no api_key", no_key(up), up.api_key)
    up = clerk.scim_directories.update(scim_directory_id=a.id, attribute_mapping={"email_address": None,
                                                                                  "last_name": "name.familyName"})
    eq("scim_directories.update merges attribute_mapping (null removes)", up.attribute_mapping,
       {"first_name": "name.givenName", "last_name": "name.familyName"})
    up = clerk.scim_directories.update(scim_directory_id=a.id, enabled=False, provider="entra_id")
    eq("scim_directories.update enabled and provider", (up.enabled, up.provider, up.name), (False, "entra_id", "Okta"))
    eq("a disabled directory's SCIM endpoint refuses", scim("GET", f"{a.endpoint_url}/Users", first_key)[0], 403)
    up = clerk.scim_directories.update(scim_directory_id=a.id, enabled=True, provider="okta")
    eq("scim_directories.update enables it again", (up.enabled, up.provider), (True, "okta"))
    eq("an enabled directory's SCIM endpoint answers", scim("GET", f"{a.endpoint_url}/Users", first_key)[0], 200)
    eq("scim_directories.update with an empty provider",
       code_of(lambda: clerk.scim_directories.update(scim_directory_id=a.id, provider="")), "form_param_value_invalid")
    eq("scim_directories.update unknown",
       code_of(lambda: clerk.scim_directories.update(scim_directory_id="scimdir_missing", name="x")),
       "resource_not_found")

    # rotate_api_key: a new key, shown once more.
    rotated = clerk.scim_directories.rotate_api_key(scim_directory_id=a.id)
    check("scim_directories.rotate_api_key parses into SCIMDirectory", isinstance(rotated, models.SCIMDirectory),
          type(rotated))
    check("scim_directories.rotate_api_key answers a new api_key",
          isinstance(rotated.api_key, str) and rotated.api_key.startswith("scim_") and rotated.api_key != first_key,
          (rotated.api_key, first_key))
    eq("scim_directories.rotate_api_key keeps the directory", (rotated.id, rotated.name, rotated.endpoint_url),
       (a.id, "Okta", a.endpoint_url))
    eq("the rotated key opens the SCIM endpoint", scim("GET", f"{a.endpoint_url}/Users", rotated.api_key)[0], 200)
    check("scim_directories.get after the rotation answers no api_key",
          no_key(clerk.scim_directories.get(scim_directory_id=a.id)))
    eq("scim_directories.rotate_api_key unknown",
       code_of(lambda: clerk.scim_directories.rotate_api_key(scim_directory_id="scimdir_missing")),
       "resource_not_found")
    a_key = rotated.api_key

    # Group role mappings: by precedence, appended, replaced in array order, deleted.
    ms = clerk.scim_directories.list_group_role_mappings(scim_directory_id=a.id)
    eq("list_group_role_mappings parses into SCIMGroupRoleMappingList", type(ms).__name__, "SCIMGroupRoleMappingList")
    eq("list_group_role_mappings by precedence", (ms.total_count, mappings(ms)),
       (2, [("Everyone", 2, "org:member"), ("Admins", 5, "org:admin")]))
    m = ms.data[0]
    eq("a mapping's fields", (m.object, m.scim_directory_id, m.scim_group_display_name, type(m.role).__name__,
                              m.role.id), (models.SCIMGroupRoleMappingObject.SCIM_GROUP_ROLE_MAPPING, a.id, "All",
                                           "Role", member))
    check("a mapping's id is scimgrm_", all(x.id.startswith("scimgrm_") for x in ms.data), [x.id for x in ms.data])
    eq("list_group_role_mappings unknown", code_of(
        lambda: clerk.scim_directories.list_group_role_mappings(scim_directory_id="scimdir_missing")),
       "resource_not_found")

    ops = clerk.scim_directories.create_group_role_mapping(scim_directory_id=a.id, scim_group_id="Ops",
                                                           role_id=admin)
    eq("create_group_role_mapping appends after the highest precedence",
       (type(ops).__name__, ops.scim_group_id, ops.precedence, ops.role.key, ops.scim_directory_id),
       ("SCIMGroupRoleMapping", "Ops", 6, "org:admin", a.id))
    first = clerk.scim_directories.create_group_role_mapping(scim_directory_id=a.id, scim_group_id="Leads",
                                                             role_id=admin, precedence=1)
    eq("create_group_role_mapping with a precedence", (first.precedence, first.role.key), (1, "org:admin"))
    eq("list_group_role_mappings after the creates",
       mappings(clerk.scim_directories.list_group_role_mappings(scim_directory_id=a.id)),
       [("Leads", 1, "org:admin"), ("Everyone", 2, "org:member"), ("Admins", 5, "org:admin"), ("Ops", 6, "org:admin")])
    eq("create_group_role_mapping for a mapped group", code_of(lambda: clerk.scim_directories.create_group_role_mapping(
        scim_directory_id=a.id, scim_group_id="Ops", role_id=member)), "duplicate_record")
    eq("create_group_role_mapping with an unknown role", code_of(
        lambda: clerk.scim_directories.create_group_role_mapping(scim_directory_id=a.id, scim_group_id="X",
                                                                 role_id="role_missing")), "resource_not_found")
    eq("create_group_role_mapping with precedence 0", code_of(
        lambda: clerk.scim_directories.create_group_role_mapping(scim_directory_id=a.id, scim_group_id="X",
                                                                 role_id=admin, precedence=0)),
       "form_param_value_invalid")
    eq("create_group_role_mapping on an unknown directory", code_of(
        lambda: clerk.scim_directories.create_group_role_mapping(scim_directory_id="scimdir_missing",
                                                                 scim_group_id="X", role_id=admin)),
       "resource_not_found")

    replaced = clerk.scim_directories.replace_group_role_mappings(scim_directory_id=a.id, mappings=[
        {"scim_group_id": "Ops", "role_id": member}, models.Mappings(scim_group_id="Admins", role_id=admin)])
    eq("replace_group_role_mappings parses into SCIMGroupRoleMappingList", type(replaced).__name__,
       "SCIMGroupRoleMappingList")
    eq("replace_group_role_mappings in array order", (replaced.total_count, mappings(replaced)),
       (2, [("Ops", 1, "org:member"), ("Admins", 2, "org:admin")]))
    eq("list_group_role_mappings after the replace",
       mappings(clerk.scim_directories.list_group_role_mappings(scim_directory_id=a.id)), mappings(replaced))
    eq("replace_group_role_mappings naming a group twice", code_of(
        lambda: clerk.scim_directories.replace_group_role_mappings(scim_directory_id=a.id, mappings=[
            {"scim_group_id": "G", "role_id": admin}, {"scim_group_id": "G", "role_id": member}])),
       "duplicate_record")

    gone = replaced.data[0].id
    deleted = clerk.scim_directories.delete_group_role_mapping(scim_directory_id=a.id, mapping_id=gone)
    eq("delete_group_role_mapping", (type(deleted).__name__, deleted.object, deleted.id, deleted.DELETED),
       ("SCIMGroupRoleMappingDeleted", models.SCIMGroupRoleMappingDeletedObject.SCIM_GROUP_ROLE_MAPPING, gone, True))
    eq("delete_group_role_mapping again", code_of(
        lambda: clerk.scim_directories.delete_group_role_mapping(scim_directory_id=a.id, mapping_id=gone)),
       "resource_not_found")
    eq("list_group_role_mappings after the delete",
       mappings(clerk.scim_directories.list_group_role_mappings(scim_directory_id=a.id)),
       [("Admins", 2, "org:admin")])
    cleared = clerk.scim_directories.replace_group_role_mappings(scim_directory_id=a.id, mappings=[])
    eq("replace_group_role_mappings with none clears them", (cleared.total_count, cleared.data), (0, []))

    off = clerk.scim_directories.update(scim_directory_id=a.id, group_role_mapping_enabled=False)
    eq("scim_directories.update group_role_mapping_enabled", off.group_role_mapping_enabled, False)
    eq("create_group_role_mapping while mapping is off", code_of(
        lambda: clerk.scim_directories.create_group_role_mapping(scim_directory_id=a.id, scim_group_id="Ops",
                                                                 role_id=admin)), "feature_not_enabled")
    eq("replace_group_role_mappings while mapping is off", code_of(
        lambda: clerk.scim_directories.replace_group_role_mappings(scim_directory_id=a.id, mappings=[])),
       "feature_not_enabled")
    on = clerk.scim_directories.update(scim_directory_id=a.id, group_role_mapping_enabled=True)
    eq("scim_directories.update turns mapping on again", on.group_role_mapping_enabled, True)

    # End to end, through Beta's directory: provisioning makes a member, a mapped group its role.
    email = "x@y.test"
    status, user = scim("POST", f"{b.endpoint_url}/Users", b.api_key, {
        "schemas": [USER], "userName": email, "emails": [{"value": email, "primary": True}]})
    check("POST /Users provisions a user", status == 201 and isinstance((user or {}).get("id"), str), (status, user))
    scim_user = (user or {}).get("id")
    eq("the provisioned user is a member of the directory's organization, with the default role", members_of(beta.id),
       {email: "org:member"})
    eq("and of no other organization", members_of(acme.id), {})
    people = clerk.users.list(request={"email_address": [email]})
    eq("the provisioned user is a Clerk user", [u.email_addresses[0].email_address for u in people], [email])

    mapped = clerk.scim_directories.create_group_role_mapping(scim_directory_id=b.id, scim_group_id="Engineering",
                                                              role_id=admin)
    eq("a mapping by the group's displayName", (mapped.scim_group_id, mapped.role.key), ("Engineering", "org:admin"))
    status, group = scim("POST", f"{b.endpoint_url}/Groups", b.api_key, {
        "schemas": [GROUP], "displayName": "Engineering", "members": [{"value": scim_user}]})
    check("POST /Groups with the user as a member", status == 201, (status, group))
    eq("a member of a group mapped to org:admin gets org:admin", members_of(beta.id), {email: "org:admin"})
    eq("deleting the mapping of the organization's last admin is refused", code_of(
        lambda: clerk.scim_directories.delete_group_role_mapping(scim_directory_id=b.id, mapping_id=mapped.id)),
       "organization_minimum_permissions_needed")
    eq("and changes no role", members_of(beta.id), {email: "org:admin"})

    other = "z@y.test"
    status, user = scim("POST", f"{b.endpoint_url}/Users", b.api_key, {
        "schemas": [USER], "userName": other, "emails": [{"value": other, "primary": True}]})
    check("POST /Users provisions a second user", status == 201, (status, user))
    status, group = scim("POST", f"{b.endpoint_url}/Groups", b.api_key, {
        "schemas": [GROUP], "displayName": "Staff", "members": [{"value": (user or {}).get("id")}]})
    check("POST /Groups of an unmapped group", status == 201, (status, group))
    eq("a member of no mapped group has the default role", members_of(beta.id),
       {email: "org:admin", other: "org:member"})
    now = clerk.scim_directories.replace_group_role_mappings(scim_directory_id=b.id, mappings=[
        {"scim_group_id": "Staff", "role_id": admin}, {"scim_group_id": "Engineering", "role_id": admin}])
    eq("replace_group_role_mappings re-roles the members", members_of(beta.id),
       {email: "org:admin", other: "org:admin"})
    engineering = next(m.id for m in now.data if m.scim_group_id == "Engineering")
    clerk.scim_directories.delete_group_role_mapping(scim_directory_id=b.id, mapping_id=engineering)
    eq("delete_group_role_mapping gives its group's members the default role back", members_of(beta.id),
       {email: "org:member", other: "org:admin"})

    # delete: the directory and its key are gone, the membership it made stays.
    done = clerk.scim_directories.delete(scim_directory_id=b.id)
    eq("scim_directories.delete", (type(done).__name__, done.object, done.id, done.deleted),
       ("DeletedObject", "scim_directory", b.id, True))
    eq("scim_directories.get after the delete", code_of(lambda: clerk.scim_directories.get(scim_directory_id=b.id)),
       "resource_not_found")
    eq("a deleted directory's api_key is refused", scim("GET", f"{b.endpoint_url}/Users", b.api_key)[0], 401)
    eq("the memberships it made stay", members_of(beta.id), {email: "org:member", other: "org:admin"})
    eq("scim_directories.delete again", code_of(lambda: clerk.scim_directories.delete(scim_directory_id=b.id)),
       "resource_not_found")
    again = clerk.scim_directories.create(request={"enterprise_connection_id": beta.id, "provider": "google"})
    check("the organization can have a new directory", again.id != b.id and isinstance(again.api_key, str), again.id)
    eq("the old key does not open the new directory", scim("GET", f"{again.endpoint_url}/Users", b.api_key)[0], 401)

    clerk.scim_directories.delete(scim_directory_id=a.id)
    eq("the rotated key is refused after the delete", scim("GET", f"{a.endpoint_url}/Users", a_key)[0], 401)
    eq("the first key is refused after the delete", scim("GET", f"{a.endpoint_url}/Users", first_key)[0], 401)
    final = clerk.scim_directories.list()
    eq("scim_directories.list after the deletes", (final.total_count, [d.id for d in final.data]), (1, [again.id]))


run(main, "scim directories")
