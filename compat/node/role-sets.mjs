// Drives a running Roster's role sets through the official @clerk/backend client (`clerk.roleSets.*`), and checks
// that an organization's role set bounds the roles its members get, through `clerk.organizations.*`.
//
//   ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... node role-sets.mjs
//
// Expects a fresh, empty instance. Closes with `node @clerk/backend <version> role sets: N passed, M failed`; exits 1
// if anything failed.

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual, inspect } from 'node:util';
import { createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';

const apiUrl = process.env.ROSTER_API_URL;
const secretKey = process.env.ROSTER_SECRET_KEY;
if (!apiUrl || !secretKey) {
  console.error('set ROSTER_API_URL (origin, without /v1) and ROSTER_SECRET_KEY');
  process.exit(2);
}
const sdkVersion = JSON.parse(
  readFileSync(new URL('./node_modules/@clerk/backend/package.json', import.meta.url), 'utf8'),
).version;
const clerk = createClerkClient({ secretKey, apiUrl });

let passed = 0;
let failed = 0;
function check(name, ok, details) {
  if (ok) {
    passed += 1;
    if (process.env.COMPAT_VERBOSE === '1') console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${details === undefined ? '' : `\n     ${inspect(details, { depth: 4 })}`}`);
  }
  return ok;
}
const eq = (name, got, want) => check(name, isDeepStrictEqual(got, want), { got, want });

/** The Clerk error code a rejected call carries, or `undefined` if it did not reject with a Clerk error. */
async function codeOf(promise) {
  try {
    await promise;
    return undefined;
  } catch (e) {
    return isClerkAPIResponseError(e) ? e.errors[0]?.code : `not a Clerk error: ${e}`;
  }
}

async function main() {
  const permissions = await clerk.organizationPermissions?.getOrganizationPermissionList?.({ limit: 100 });
  let creatorPermissions;
  if (permissions) {
    const wanted = ['org:sys_memberships:manage', 'org:sys_memberships:read', 'org:sys_profile:delete'];
    creatorPermissions = permissions.data.filter((p) => wanted.includes(p.key)).map((p) => p.id);
  } else {
    const res = await fetch(`${apiUrl}/v1/organization_permissions?limit=100`, {
      headers: { Authorization: `Bearer ${secretKey}` },
    });
    const body = await res.json();
    const wanted = ['org:sys_memberships:manage', 'org:sys_memberships:read', 'org:sys_profile:delete'];
    creatorPermissions = body.data.filter((p) => wanted.includes(p.key)).map((p) => p.id);
  }
  check('the creator permissions exist', creatorPermissions.length === 3, creatorPermissions);
  const lead = await clerk.organizationRoles.createOrganizationRole({
    name: 'Lead',
    key: 'org:lead',
    permissions: creatorPermissions,
  });
  eq('organizationRoles.createOrganizationRole', lead.key, 'org:lead');

  // create, get by key and by id, list
  const set = await clerk.roleSets.createRoleSet({
    name: 'Team',
    key: 'role_set:team',
    description: 'The team',
    defaultRoleKey: 'org:member',
    creatorRoleKey: 'org:lead',
    roles: ['org:member', 'org:lead'],
  });
  eq('createRoleSet key', set.key, 'role_set:team');
  eq('createRoleSet type', set.type, 'custom');
  eq('createRoleSet roles', set.roles.map((r) => r.key), ['org:member', 'org:lead']);
  eq('createRoleSet default role', set.defaultRole?.key, 'org:member');
  eq('createRoleSet creator role', set.creatorRole?.key, 'org:lead');
  eq('createRoleSet members count', set.roles[0].membersCount, 0);
  check('createRoleSet ids and times', set.id.startsWith('rs_') && set.createdAt > 1_600_000_000_000, set);
  eq('getRoleSet by key', (await clerk.roleSets.getRoleSet('role_set:team')).id, set.id);
  eq('getRoleSet by id', (await clerk.roleSets.getRoleSet(set.id)).key, 'role_set:team');
  const list = await clerk.roleSets.getRoleSetList({ query: 'team', orderBy: '-created_at', limit: 10 });
  eq('getRoleSetList', [list.totalCount, list.data.map((s) => s.key)], [1, ['role_set:team']]);
  eq('getRoleSet unknown', await codeOf(clerk.roleSets.getRoleSet('role_set:nope')), 'resource_not_found');
  eq(
    'createRoleSet duplicate key',
    await codeOf(
      clerk.roleSets.createRoleSet({
        name: 'Again',
        key: 'role_set:team',
        defaultRoleKey: 'org:member',
        creatorRoleKey: 'org:lead',
        roles: ['org:member', 'org:lead'],
      }),
    ),
    'duplicate_record',
  );

  // update, add roles
  const updated = await clerk.roleSets.updateRoleSet({ roleSetKeyOrId: 'role_set:team', name: 'Team A', type: 'initial' });
  eq('updateRoleSet', [updated.name, updated.type], ['Team A', 'initial']);
  const added = await clerk.roleSets.addRolesToRoleSet({ roleSetKeyOrId: set.id, roleKeys: ['org:admin'] });
  eq('addRolesToRoleSet', added.roles.map((r) => r.key), ['org:member', 'org:lead', 'org:admin']);

  // The initial set goes to a new organization; its creator gets the set's creator role; roles outside it are refused.
  const founder = await clerk.users.createUser({ emailAddress: ['founder@example.com'] });
  const member = await clerk.users.createUser({ emailAddress: ['member@example.com'] });
  const org = await clerk.organizations.createOrganization({ name: 'Bound', createdBy: founder.id });
  eq('a new organization gets the initial role set', org.roleSetKey ?? org.raw?.role_set_key, 'role_set:team');
  const founders = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  eq('the creator gets the set creator role', founders.data.map((m) => m.role), ['org:lead']);
  const outside = await clerk.organizationRoles.createOrganizationRole({ name: 'Outside', key: 'org:outside', permissions: [] });
  eq(
    'a role outside the set is refused',
    await codeOf(
      clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: outside.key }),
    ),
    'resource_not_found',
  );
  const joined = await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: member.id,
    role: 'org:member',
  });
  eq('a role of the set is given', joined.role, 'org:member');

  // replace a role in the set: the member moves with it
  const replaced = await clerk.roleSets.replaceRoleInRoleSet({
    roleSetKeyOrId: 'role_set:team',
    roleKey: 'org:member',
    toRoleKey: 'org:admin',
  });
  eq('replaceRoleInRoleSet roles', replaced.roles.map((r) => r.key), ['org:lead', 'org:admin']);
  eq('replaceRoleInRoleSet default role follows', replaced.defaultRole?.key, 'org:admin');
  const moved = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  eq('the member moved to the other role', moved.data.map((m) => m.role).sort(), ['org:admin', 'org:lead']);

  // replace a set by another, with mappings; the initial set cannot be replaced
  await clerk.roleSets.createRoleSet({
    name: 'Plain',
    key: 'role_set:plain',
    defaultRoleKey: 'org:member',
    creatorRoleKey: 'org:admin',
    roles: ['org:member', 'org:admin'],
  });
  eq(
    'replaceRoleSet of the initial set',
    await codeOf(clerk.roleSets.replaceRoleSet({ roleSetKeyOrId: 'role_set:team', destRoleSetKey: 'role_set:plain' })),
    'cannot_delete_initial_role_set',
  );
  await clerk.roleSets.updateRoleSet({ roleSetKeyOrId: 'role_set:plain', type: 'initial' });
  eq(
    'replaceRoleSet without the mappings it needs',
    await codeOf(clerk.roleSets.replaceRoleSet({ roleSetKeyOrId: 'role_set:team', destRoleSetKey: 'role_set:plain' })),
    'organization_role_set_reassignment_mappings_missing',
  );
  const deleted = await clerk.roleSets.replaceRoleSet({
    roleSetKeyOrId: 'role_set:team',
    destRoleSetKey: 'role_set:plain',
    reassignmentMappings: { 'org:lead': 'org:admin' },
  });
  eq('replaceRoleSet answers a deleted object', [deleted.object, deleted.id, deleted.deleted], ['role_set', set.id, true]);
  const after = await clerk.organizations.getOrganization({ organizationId: org.id });
  eq('the organization moved to the destination set', after.roleSetKey ?? after.raw?.role_set_key, 'role_set:plain');
  const remapped = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  eq('its members were mapped', remapped.data.map((m) => m.role), ['org:admin', 'org:admin']);
  const final = await clerk.roleSets.getRoleSetList();
  eq('getRoleSetList after the replace', final.data.map((s) => [s.key, s.type]), [['role_set:plain', 'initial']]);
}

try {
  await main();
} catch (e) {
  check('the role set checks ran to the end', false, e);
}
console.log(`node @clerk/backend ${sdkVersion} role sets: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
