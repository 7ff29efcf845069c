"""Drives a running Roster's role sets through the official Python SDK, clerk-backend-api (`clerk.role_sets.*`), and
checks that an organization's role set bounds the roles its members get.

    ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... python role_sets.py

Expects a fresh, empty instance. Closes with `python clerk-backend-api <version> role sets: N passed, M failed`;
exits 1 if anything failed. Retries are off and every call has a 10 s timeout, as in suite.py.
"""

from __future__ import annotations

from clerk_backend_api import models

from harness import check, clerk, code_of, eq, run



def main() -> None:
    wanted = {"org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete"}
    perms = [p.id for p in clerk.organization_permissions.list(limit=100).data if p.key in wanted]
    eq("organization_permissions.list finds the creator permissions", len(perms), 3)
    lead = clerk.organization_roles.create(name="Lead", key="org:lead", permissions=perms)
    eq("organization_roles.create", lead.key, "org:lead")

    created = clerk.role_sets.create(name="Team", key="role_set:team", description="The team",
                                     default_role_key="org:member", creator_role_key="org:lead",
                                     roles=["org:member", "org:lead"], type_=models.CreateRoleSetType.CUSTOM)
    eq("role_sets.create", (created.key, created.type, created.description), ("role_set:team", "custom", "The team"))
    eq("role_sets.create roles", [r.key for r in created.roles], ["org:member", "org:lead"])
    eq("role_sets.create roles are role_set_items", created.roles[0].object, "role_set_item")
    eq("role_sets.create default and creator roles", (created.default_role.key, created.creator_role.key),
       ("org:member", "org:lead"))
    eq("role_sets.get by key", clerk.role_sets.get(role_set_key_or_id="role_set:team").id, created.id)
    eq("role_sets.get by id", clerk.role_sets.get(role_set_key_or_id=created.id).key, "role_set:team")
    listed = clerk.role_sets.list(query="tea", order_by="-created_at")
    eq("role_sets.list", (listed.total_count, [s.key for s in listed.data]), (1, ["role_set:team"]))
    eq("role_sets.get unknown", code_of(lambda: clerk.role_sets.get(role_set_key_or_id="role_set:nope")),
       "resource_not_found")
    eq("role_sets.create with a default role outside the set", code_of(lambda: clerk.role_sets.create(
        name="Bad", default_role_key="org:admin", creator_role_key="org:lead", roles=["org:lead"])),
       "form_param_value_invalid")

    updated = clerk.role_sets.update(role_set_key_or_id="role_set:team", name="Team A", description=None,
                                     type_=models.UpdateRoleSetType.INITIAL)
    eq("role_sets.update", (updated.name, updated.description, updated.type), ("Team A", None, "initial"))
    added = clerk.role_sets.add_roles(role_set_key_or_id=created.id, role_keys=["org:admin"])
    eq("role_sets.add_roles", [r.key for r in added.roles], ["org:member", "org:lead", "org:admin"])

    founder = clerk.users.create(email_address=["founder@example.com"])
    member = clerk.users.create(email_address=["member@example.com"])
    org = clerk.organizations.create(request={"name": "Bound", "created_by": founder.id})
    eq("a new organization gets the initial set", org.role_set_key, "role_set:team")
    founders = clerk.organization_memberships.list(organization_id=org.id)
    eq("the creator gets the set's creator role", [m.role for m in founders.data], ["org:lead"])
    clerk.organization_roles.create(name="Outside", key="org:outside", permissions=[])
    eq("a role outside the set is refused", code_of(lambda: clerk.organization_memberships.create(
        organization_id=org.id, user_id=member.id, role="org:outside")), "resource_not_found")
    joined = clerk.organization_memberships.create(organization_id=org.id, user_id=member.id, role="org:member")
    eq("a role of the set is given", joined.role, "org:member")

    replaced = clerk.role_sets.replace_role(role_set_key_or_id="role_set:team", role_key="org:member",
                                            to_role_key="org:admin")
    eq("role_sets.replace_role", [r.key for r in replaced.roles], ["org:lead", "org:admin"])
    moved = clerk.organization_memberships.list(organization_id=org.id)
    eq("the member moved to the other role", sorted(m.role for m in moved.data), ["org:admin", "org:lead"])

    clerk.role_sets.create(name="Plain", key="role_set:plain", default_role_key="org:member",
                           creator_role_key="org:admin", roles=["org:member", "org:admin"])
    eq("role_sets.replace of the initial set", code_of(lambda: clerk.role_sets.replace(
        role_set_key_or_id="role_set:team", dest_role_set_key="role_set:plain")), "cannot_delete_initial_role_set")
    clerk.role_sets.update(role_set_key_or_id="role_set:plain", type_=models.UpdateRoleSetType.INITIAL)
    eq("role_sets.replace without the mappings it needs", code_of(lambda: clerk.role_sets.replace(
        role_set_key_or_id="role_set:team", dest_role_set_key="role_set:plain")),
       "organization_role_set_reassignment_mappings_missing")
    deleted = clerk.role_sets.replace(role_set_key_or_id="role_set:team", dest_role_set_key="role_set:plain",
                                      reassignment_mappings={"org:lead": "org:admin"})
    eq("role_sets.replace answers a deleted object", (deleted.object, deleted.id, deleted.deleted),
       ("role_set", created.id, True))
    eq("the organization moved to the destination set",
       clerk.organizations.get(organization_id=org.id).role_set_key, "role_set:plain")
    remapped = clerk.organization_memberships.list(organization_id=org.id)
    eq("its members were mapped", [m.role for m in remapped.data], ["org:admin", "org:admin"])
    eq("role_sets.list after the replace", [(s.key, s.type) for s in clerk.role_sets.list().data],
       [("role_set:plain", "initial")])


run(main, "role sets")
