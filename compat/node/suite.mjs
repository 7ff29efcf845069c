// Drives a running Roster through the official @clerk/backend client, exactly as an application would:
// `createClerkClient({ secretKey, apiUrl })`, where apiUrl is the origin (the SDK appends /v1 itself).
//
//   ROSTER_API_URL=http://127.0.0.1:PORT ROSTER_SECRET_KEY=sk_test_... ROSTER_BIN=target/debug/roster node suite.mjs
//
// The session-token checks verify Roster's tokens with the SDK's own verifyToken and authenticateRequest, and start
// a second roster (ROSTER_BIN, port 0, a fresh SQLite file) whose tokens this instance must refuse; they also wait
// for a 30 s token to expire (about 36 s, overlapped with the other checks). Expects a fresh, empty instance
// (counts are exact).
//
// The webhook checks receive Roster's deliveries in this process (node:http), verify every one with the SDK's
// verifyWebhook (@clerk/backend/webhooks), and compare them with GET /v1/events and with the SDK's reads right after
// each write; one endpoint fails every first attempt, to check the retries (run.sh sets ROSTER_WEBHOOK_RETRY_SCHEDULE
// to make them quick). They also run the README's receiver, webhook-receiver.mjs, against a third roster started with
// ROSTER_WEBHOOK_URL and ROSTER_WEBHOOK_SECRET.
//
// The invitation checks accept invitations with Roster's extension (POST …/invitations/{id}/accept, plain HTTP) and
// read the membership back through the SDK; the domain checks turn domains on in the instance's organization
// settings (instance.updateOrganizationSettings) and follow the automatic enrollment through the SDK's lists.
//
// Prints every failure with details (and every pass with COMPAT_VERBOSE=1) and closes with
// `node @clerk/backend <version>: N passed, M failed`; exits 1 if anything failed.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual, inspect } from 'node:util';
import { createClerkClient, verifyToken } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { verifyWebhook } from '@clerk/backend/webhooks';
import { startApp } from './protect-your-app.mjs';

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

const verbose = process.env.COMPAT_VERBOSE === '1'; // also print the checks that pass
let passed = 0;
let failed = 0;
const show = (v) => inspect(v, { depth: 4, breakLength: 120, maxStringLength: 2000 });

/** Counts one check; prints the failure with what was expected and what came back. */
function check(name, ok, details) {
  if (ok) {
    passed += 1;
    if (verbose) console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${details === undefined ? '' : `\n     ${show(details)}`}`);
  }
  return ok;
}

function checkEqual(name, actual, expected) {
  return check(name, isDeepStrictEqual(actual, expected), { expected, actual });
}

/** Runs one call through the SDK; an exception fails the check instead of ending the suite. */
async function call(name, fn) {
  try {
    return await fn();
  } catch (e) {
    check(`${name} (call threw)`, false, describeError(e));
    return undefined;
  }
}

function describeError(e) {
  if (isClerkAPIResponseError(e)) {
    return {
      status: e.status,
      errors: e.errors.map((x) => ({ code: x.code, message: x.longMessage ?? x.message, meta: x.meta })),
    };
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : e;
}

/** The call must fail with a ClerkAPIResponseError carrying this status and first error code. */
async function expectError(name, fn, status, code, paramName) {
  try {
    const value = await fn();
    return check(name, false, { expected: `${status} ${code}`, actual: 'success', value });
  } catch (e) {
    if (!check(`${name}: ClerkAPIResponseError`, isClerkAPIResponseError(e), describeError(e))) return false;
    const first = e.errors[0];
    const ok =
      e.status === status &&
      first?.code === code &&
      typeof first?.message === 'string' &&
      first.message.length > 0 &&
      typeof first?.longMessage === 'string' &&
      typeof e.clerkTraceId === 'string' &&
      e.clerkTraceId.length > 0 &&
      (paramName === undefined || first?.meta?.paramName === paramName);
    return check(name, ok, { expected: { status, code, paramName }, actual: describeError(e) });
  }
}

// The SDK's bundled classes are named `_OrganizationMembership` etc. and are not exported.
const kind = (o) => o?.constructor?.name?.replace(/^_+/, '');
const arr = (x) => (Array.isArray(x) ? x : []);
const ids = (list) => arr(list?.data).map((m) => m?.publicUserData?.userId);
const section = async (name, fn) => {
  try {
    await fn();
  } catch (e) {
    check(`${name}: section aborted`, false, e instanceof Error ? e.stack : e);
  }
};

// ---------------------------------------------------------------- users
const users = {};
await section('users', async () => {
  const people = [
    ['alice', 'Alice', 'Liddell', 'alice_l'],
    ['bob', 'Bob', 'Builder', 'bobby'],
    ['carol', 'Carol', 'Danvers', 'carol_d'],
    ['dave', 'Dave', 'Grohl', 'dave_g'],
    ['erin', 'Erin', 'Brockovich', 'erin_b'],
  ];
  for (const [key, firstName, lastName, username] of people) {
    users[key] = await call(`createUser ${key}`, () =>
      clerk.users.createUser({ emailAddress: [`${key}@example.com`], firstName, lastName, username }),
    );
  }
  const alice = users.alice;
  // The SDK parses a body as JSON only when Content-Type is exactly `application/json`; otherwise it hands back
  // the raw text as the "user".
  check(
    'createUser: answer parsed into a User (Content-Type exactly application/json)',
    kind(alice) === 'User',
    typeof alice === 'string' ? `raw text instead of a User: ${alice.slice(0, 200)}` : alice,
  );
  check('createUser: id is user_…', alice?.id?.startsWith('user_'), alice?.id);
  checkEqual('createUser: names and username', [alice?.firstName, alice?.lastName, alice?.username], [
    'Alice',
    'Liddell',
    'alice_l',
  ]);
  checkEqual('createUser: primary email address', alice?.primaryEmailAddress?.emailAddress, 'alice@example.com');
  check(
    'createUser: email verified, timestamps in ms',
    alice?.emailAddresses?.[0]?.verification?.status === 'verified' && alice?.createdAt > 1e12,
    alice?._raw,
  );

  const got = await call('getUser', () => clerk.users.getUser(alice.id));
  checkEqual('getUser returns the user', [got?.id, got?.emailAddresses?.[0]?.emailAddress], [
    alice?.id,
    'alice@example.com',
  ]);

  const byEmail = await call('getUserList', () => clerk.users.getUserList({ emailAddress: ['bob@example.com'] }));
  checkEqual('getUserList emailAddress filter (+ /users/count)', [arr(byEmail?.data).map((u) => u.id), byEmail?.totalCount], [
    [users.bob?.id],
    1,
  ]);
  const byQuery = await call('getUserList query', () => clerk.users.getUserList({ query: 'liddell' }));
  checkEqual('getUserList query', arr(byQuery?.data).map((u) => u.id), [alice?.id]);

  const updated = await call('updateUser', () => clerk.users.updateUser(alice.id, { firstName: 'Alicia' }));
  checkEqual('updateUser first name', updated?.firstName, 'Alicia');

  await call('updateUserMetadata 1', () =>
    clerk.users.updateUserMetadata(alice.id, {
      publicMetadata: { profile: { theme: 'dark', beta: true } },
      privateMetadata: { crm: 'c-1' },
    }),
  );
  const merged = await call('updateUserMetadata 2', () =>
    clerk.users.updateUserMetadata(alice.id, { publicMetadata: { profile: { beta: null, lang: 'en' } } }),
  );
  checkEqual('updateUserMetadata deep merge, null deletes', [merged?.publicMetadata, merged?.privateMetadata], [
    { profile: { theme: 'dark', lang: 'en' } },
    { crm: 'c-1' },
  ]);

  const replaced = await call('replaceUserMetadata', () =>
    clerk.users.replaceUserMetadata(alice.id, { publicMetadata: { profile: { theme: 'light' } } }),
  );
  checkEqual('replaceUserMetadata replaces the given field only', [replaced?.publicMetadata, replaced?.privateMetadata], [
    { profile: { theme: 'light' } },
    { crm: 'c-1' },
  ]);

  const temp = await call('createUser temp', () => clerk.users.createUser({ emailAddress: ['temp@example.com'] }));
  const deleted = await call('deleteUser', () => clerk.users.deleteUser(temp.id));
  checkEqual('deleteUser returns a DeletedObject', [kind(deleted), deleted?.id, deleted?.deleted], [
    'DeletedObject',
    temp?.id,
    true,
  ]);
  await expectError('getUser after delete', () => clerk.users.getUser(temp.id), 404, 'resource_not_found');
});

// ---------------------------------------------------------------- organizations
let org;
await section('organizations', async () => {
  org = await call('createOrganization', () =>
    clerk.organizations.createOrganization({
      name: 'Acme Corp',
      slug: 'acme-corp',
      createdBy: users.alice.id,
      publicMetadata: { plan: { tier: 'pro', seats: 5 } },
    }),
  );
  check('createOrganization: id is org_…', org?.id?.startsWith('org_'), org?.id);
  checkEqual('createOrganization fields', [org?.name, org?.slug, org?.createdBy, org?.maxAllowedMemberships], [
    'Acme Corp',
    'acme-corp',
    users.alice?.id,
    0,
  ]);

  const byId = await call('getOrganization by id', () =>
    clerk.organizations.getOrganization({ organizationId: org.id, includeMembersCount: true }),
  );
  checkEqual('getOrganization by id, membersCount (creator is a member)', [byId?.id, byId?.membersCount], [org?.id, 1]);
  const bySlug = await call('getOrganization by slug', () => clerk.organizations.getOrganization({ slug: 'acme-corp' }));
  checkEqual('getOrganization by slug', [kind(bySlug), bySlug?.id], ['Organization', org?.id]);

  const other = await call('createOrganization 2', () =>
    clerk.organizations.createOrganization({ name: 'Globex', createdBy: users.bob.id }),
  );
  const list = await call('getOrganizationList', () =>
    clerk.organizations.getOrganizationList({ includeMembersCount: true, orderBy: 'name' }),
  );
  checkEqual(
    'getOrganizationList with include_members_count',
    [arr(list?.data).map((o) => [o.name, o.membersCount]), list?.totalCount],
    [
      [
        ['Acme Corp', 1],
        ['Globex', 1],
      ],
      2,
    ],
  );
  const renamed = await call('updateOrganization', () =>
    clerk.organizations.updateOrganization(other.id, { name: 'Globex Corporation' }),
  );
  checkEqual('updateOrganization name', renamed?.name, 'Globex Corporation');

  const meta = await call('updateOrganizationMetadata', () =>
    clerk.organizations.updateOrganizationMetadata(org.id, {
      publicMetadata: { plan: { seats: null, renews: true } },
      privateMetadata: { billing: 'b-1' },
    }),
  );
  checkEqual('updateOrganizationMetadata deep merge, null deletes', [meta?.publicMetadata, meta?.privateMetadata], [
    { plan: { tier: 'pro', renews: true } },
    { billing: 'b-1' },
  ]);

  const replaced = await call('replaceOrganizationMetadata', () =>
    clerk.organizations.replaceOrganizationMetadata(other.id, { privateMetadata: { region: 'eu' } }),
  );
  checkEqual('replaceOrganizationMetadata', [replaced?.publicMetadata, replaced?.privateMetadata], [{}, { region: 'eu' }]);

  const gone = await call('deleteOrganization', () => clerk.organizations.deleteOrganization(other.id));
  checkEqual('deleteOrganization returns a DeletedObject', [kind(gone), gone?.id, gone?.deleted], [
    'DeletedObject',
    other?.id,
    true,
  ]);
  await expectError(
    'getOrganization after delete',
    () => clerk.organizations.getOrganization({ organizationId: other.id }),
    404,
    'resource_not_found',
  );
});

// ---------------------------------------------------------------- memberships
await section('memberships', async () => {
  const organizationId = org.id;
  const { alice, bob, carol, dave, erin } = users;

  const creator = await call('list creator membership', () =>
    clerk.organizations.getOrganizationMembershipList({ organizationId }),
  );
  checkEqual('creator is org:admin', [arr(creator?.data).map((m) => [m.publicUserData?.userId, m.role]), creator?.totalCount], [
    [[alice.id, 'org:admin']],
    1,
  ]);

  const m = await call('createOrganizationMembership', () =>
    clerk.organizations.createOrganizationMembership({
      organizationId,
      userId: bob.id,
      role: 'org:member',
      publicMetadata: { team: { name: 'core', lead: false }, tags: ['x'] },
      privateMetadata: { seat: 'A1' },
    }),
  );
  check('membership: parsed as OrganizationMembership', kind(m) === 'OrganizationMembership', m?._raw ?? m);
  check('membership: id is orgmem_…', m?.id?.startsWith('orgmem_'), m?.id);
  checkEqual('membership: role', m?.role, 'org:member');
  checkEqual('membership: permissions', new Set(m?.permissions), new Set(['org:sys_memberships:read', 'org:sys_billing:read']));
  checkEqual('membership: metadata', [m?.publicMetadata, m?.privateMetadata], [
    { team: { name: 'core', lead: false }, tags: ['x'] },
    { seat: 'A1' },
  ]);
  checkEqual('membership: organization', [kind(m?.organization), m?.organization?.id, m?.organization?.slug], [
    'Organization',
    organizationId,
    'acme-corp',
  ]);
  checkEqual(
    'membership: publicUserData',
    [
      m?.publicUserData?.userId,
      m?.publicUserData?.identifier,
      m?.publicUserData?.firstName,
      m?.publicUserData?.lastName,
      m?.publicUserData?.hasImage,
      typeof m?.publicUserData?.imageUrl,
    ],
    [bob.id, 'bob@example.com', 'Bob', 'Builder', false, 'string'],
  );
  check('membership: timestamps in ms', m?.createdAt > 1e12 && m?.updatedAt >= m?.createdAt, m?._raw);
  checkEqual('membership: role_name on the wire', m?._raw?.role_name, 'Member');

  await call('add carol', () =>
    clerk.organizations.createOrganizationMembership({ organizationId, userId: carol.id, role: 'org:member' }),
  );
  await call('add dave', () =>
    clerk.organizations.createOrganizationMembership({ organizationId, userId: dave.id, role: 'org:admin' }),
  );

  const list = (params) => clerk.organizations.getOrganizationMembershipList({ organizationId, ...params });
  const newest = await call('list default order', () => list({}));
  checkEqual('list: default order is newest first, totalCount', [ids(newest), newest?.totalCount], [
    [dave.id, carol.id, bob.id, alice.id],
    4,
  ]);
  check(
    'list: every item parsed with publicUserData',
    newest?.data?.length === 4 &&
      newest.data.every((x) => kind(x) === 'OrganizationMembership' && x.publicUserData?.identifier),
    arr(newest?.data).map((x) => [kind(x), x?.publicUserData]),
  );
  const admins = await call('list role filter', () => list({ role: ['org:admin'] }));
  checkEqual('list: role=org:admin', [new Set(ids(admins)), admins?.totalCount], [new Set([alice.id, dave.id]), 2]);
  const included = await call('list +user_id', () => list({ userId: [`+${bob.id}`, `+${carol.id}`] }));
  checkEqual('list: user_id +include', new Set(ids(included)), new Set([bob.id, carol.id]));
  const excluded = await call('list -user_id', () => list({ userId: [`-${alice.id}`] }));
  checkEqual('list: user_id -exclude', [new Set(ids(excluded)), excluded?.totalCount], [
    new Set([bob.id, carol.id, dave.id]),
    3,
  ]);
  const queried = await call('list query', () => list({ query: 'danvers' }));
  checkEqual('list: query (last name)', ids(queried), [carol.id]);
  const byEmail = await call('list email_address', () => list({ emailAddress: ['dave@example.com'] }));
  checkEqual('list: email_address', ids(byEmail), [dave.id]);
  const asc = await call('list +email_address', () => list({ orderBy: '+email_address' }));
  checkEqual('list: order_by +email_address', ids(asc), [alice.id, bob.id, carol.id, dave.id]);
  const desc = await call('list -created_at', () => list({ orderBy: '-created_at' }));
  checkEqual('list: order_by -created_at', ids(desc), [dave.id, carol.id, bob.id, alice.id]);
  const page = await call('list limit/offset', () => list({ orderBy: '+email_address', limit: 2, offset: 1 }));
  checkEqual('list: limit 2 offset 1, totalCount counts all', [ids(page), page?.totalCount], [[bob.id, carol.id], 4]);
  const last = await call('list last page', () => list({ orderBy: '+email_address', limit: 3, offset: 3 }));
  checkEqual('list: last page', [ids(last), last?.totalCount], [[dave.id], 4]);

  // Roster refuses a limit outside 1..=500 (hosted Clerk has been seen to fall back to 10 silently).
  await expectError('list: limit 501 refused', () => list({ limit: 501 }), 422, 'form_param_value_invalid', 'limit');

  const promoted = await call('updateOrganizationMembership', () =>
    clerk.organizations.updateOrganizationMembership({ organizationId, userId: carol.id, role: 'org:admin' }),
  );
  check(
    'update role: role and permissions follow the new role',
    promoted?.role === 'org:admin' && promoted?.permissions?.includes('org:sys_memberships:manage'),
    promoted?._raw,
  );

  const merged = await call('updateOrganizationMembershipMetadata', () =>
    clerk.organizations.updateOrganizationMembershipMetadata({
      organizationId,
      userId: bob.id,
      publicMetadata: { team: { lead: null, since: 2024 }, tags: ['a', 'b'] },
      privateMetadata: { seat: 'A12' },
    }),
  );
  checkEqual('update metadata: deep merge, nested null deletes, arrays replace', [merged?.publicMetadata, merged?.privateMetadata], [
    { team: { name: 'core', since: 2024 }, tags: ['a', 'b'] },
    { seat: 'A12' },
  ]);
  const unchanged = await call('updateOrganizationMembershipMetadata without fields', () =>
    clerk.organizations.updateOrganizationMembershipMetadata({ organizationId, userId: bob.id }),
  );
  checkEqual(
    'update metadata with no body leaves it unchanged',
    [kind(unchanged), unchanged?.publicMetadata],
    ['OrganizationMembership', { team: { name: 'core', since: 2024 }, tags: ['a', 'b'] }],
  );

  const removed = await call('deleteOrganizationMembership', () =>
    clerk.organizations.deleteOrganizationMembership({ organizationId, userId: carol.id }),
  );
  checkEqual(
    'delete returns the membership (not a DeletedObject)',
    [kind(removed), removed?.publicUserData?.userId, removed?.role],
    ['OrganizationMembership', carol.id, 'org:admin'],
  );
  await expectError(
    'delete again: 404',
    () => clerk.organizations.deleteOrganizationMembership({ organizationId, userId: carol.id }),
    404,
    'resource_not_found',
  );
  const counted = await call('getOrganization membersCount', () =>
    clerk.organizations.getOrganization({ organizationId, includeMembersCount: true }),
  );
  checkEqual('membersCount follows creates and deletes', counted?.membersCount, 3);

  // Instance-wide and per-user lists.
  const side = await call('createOrganization side', () =>
    clerk.organizations.createOrganization({ name: 'Side Project', createdBy: bob.id }),
  );
  const instance = await call('getInstanceOrganizationMembershipList', () =>
    clerk.organizations.getInstanceOrganizationMembershipList({ orderBy: '-created_at', limit: 100 }),
  );
  // Acme: alice, bob, dave; Side Project: bob. (Globex and its membership were deleted.)
  checkEqual('instance list: totalCount', instance?.totalCount, 4);
  checkEqual(
    'instance list: newest first, organization embedded',
    instance?.data?.[0] && [instance.data[0].organization?.id, instance.data[0].publicUserData?.userId],
    [side?.id, bob.id],
  );
  const instancePage = await call('getInstanceOrganizationMembershipList page', () =>
    clerk.organizations.getInstanceOrganizationMembershipList({ limit: 1, offset: 1 }),
  );
  checkEqual('instance list: limit/offset', [arr(instancePage?.data).length, instancePage?.totalCount], [1, 4]);
  const bobs = await call('users.getOrganizationMembershipList', () =>
    clerk.users.getOrganizationMembershipList({ userId: bob.id }),
  );
  checkEqual(
    "per-user list: the user's memberships",
    [new Set(arr(bobs?.data).map((x) => x.organization?.id)), bobs?.totalCount],
    [new Set([organizationId, side?.id]), 2],
  );
  checkEqual(
    'per-user list: metadata and role as stored',
    arr(bobs?.data).find((x) => x.organization?.id === organizationId)?.publicMetadata,
    { team: { name: 'core', since: 2024 }, tags: ['a', 'b'] },
  );

  // Deleting a user deletes their memberships.
  await call('deleteUser dave', () => clerk.users.deleteUser(dave.id));
  const afterUserDelete = await call('list after user delete', () => list({}));
  checkEqual('deleting a user removes their membership', ids(afterUserDelete), [bob.id, alice.id]);

  // ------------------------------------------------------------ errors
  await expectError(
    'duplicate member',
    () => clerk.organizations.createOrganizationMembership({ organizationId, userId: bob.id, role: 'org:member' }),
    400,
    'already_a_member_in_organization',
  );
  // The JS client does no validation of its own: a missing role goes to the server as is.
  await expectError(
    'missing role',
    () => clerk.organizations.createOrganizationMembership({ organizationId, userId: erin.id }),
    422,
    'form_param_missing',
    'role',
  );
  await expectError(
    'unknown role',
    () => clerk.organizations.createOrganizationMembership({ organizationId, userId: erin.id, role: 'admin' }),
    404,
    'resource_not_found',
    'role',
  );
  await expectError(
    'unknown user',
    () => clerk.organizations.createOrganizationMembership({ organizationId, userId: 'user_nope', role: 'org:member' }),
    404,
    'resource_not_found',
  );
  await expectError(
    'update of a non-member',
    () => clerk.organizations.updateOrganizationMembership({ organizationId, userId: erin.id, role: 'org:admin' }),
    404,
    'resource_not_found',
  );

  const tiny = await call('createOrganization quota', () =>
    clerk.organizations.createOrganization({ name: 'Tiny', createdBy: erin.id, maxAllowedMemberships: 1 }),
  );
  checkEqual('quota org: maxAllowedMemberships', tiny?.maxAllowedMemberships, 1);
  await expectError(
    'quota exceeded',
    () => clerk.organizations.createOrganizationMembership({ organizationId: tiny.id, userId: bob.id, role: 'org:member' }),
    403,
    'organization_membership_quota_exceeded',
  );
  await expectError(
    'last admin: demote',
    () => clerk.organizations.updateOrganizationMembership({ organizationId: tiny.id, userId: erin.id, role: 'org:member' }),
    400,
    'organization_minimum_permissions_needed',
  );
  await expectError(
    'last admin: remove',
    () => clerk.organizations.deleteOrganizationMembership({ organizationId: tiny.id, userId: erin.id }),
    400,
    'organization_minimum_permissions_needed',
  );

});

// ---------------------------------------------------------------- sessions
await section('sessions', async () => {
  const user = await call('createUser (sessions)', () => clerk.users.createUser({ emailAddress: ['sessions@example.com'] }));
  const s = await call('createSession', () => clerk.sessions.createSession({ userId: user.id }));
  checkEqual('createSession: a Session, active', [kind(s), s?.status], ['Session', 'active']);
  const revoked = await call('revokeSession', () => clerk.sessions.revokeSession(s.id));
  checkEqual('revokeSession: the same session, revoked', [kind(revoked), revoked?.id, revoked?.status], [
    'Session',
    s.id,
    'revoked',
  ]);
  await expectError('revokeSession twice', () => clerk.sessions.revokeSession(s.id), 400, 'invalid_action_for_session');
  await expectError('revokeSession unknown', () => clerk.sessions.revokeSession('sess_missing'), 404, 'resource_not_found');
  const list = await call('getSessionList status=revoked', () =>
    clerk.sessions.getSessionList({ userId: user.id, status: 'revoked' }),
  );
  checkEqual('getSessionList status=revoked', arr(list?.data).map((x) => x?.id), [s.id]);
});

// ---------------------------------------------------------------- invitations
// Roster sends no email. Clerk's invitee accepts through its frontend, which Roster does not have: Roster's
// extension POST /v1/organizations/{org}/invitations/{id}/accept {user_id} (plain HTTP, the SDK has no method for it)
// makes the membership, and the SDK reads it back.
const DAY = 24 * 3600 * 1000;
const invIds = (page) => arr(page?.data).map((i) => i?.id);
await section('invitations', async () => {
  const orgs = clerk.organizations;
  const person = (key) =>
    call(`createUser ${key}`, () => clerk.users.createUser({ emailAddress: [`${key}@example.com`], firstName: key }));
  const host = await person('inv-host');
  const helper = await person('inv-helper');
  const invOrg = await call('createOrganization (invitations)', () =>
    orgs.createOrganization({ name: 'Invite Co', slug: 'invite-co', createdBy: host.id }),
  );
  const organizationId = invOrg.id;
  await call('add inv-helper as org:member', () =>
    orgs.createOrganizationMembership({ organizationId, userId: helper.id, role: 'org:member' }),
  );

  const inv = await call('createOrganizationInvitation', () =>
    orgs.createOrganizationInvitation({
      organizationId,
      emailAddress: 'New.Person@Example.com',
      role: 'org:member',
      inviterUserId: host.id,
      publicMetadata: { team: { name: 'red' } },
      privateMetadata: { seat: 7 },
      redirectUrl: 'https://app.example/join?from=mail',
      expiresInDays: 7,
    }),
  );
  check(
    'createOrganizationInvitation: parsed into an OrganizationInvitation, id orginv_…',
    kind(inv) === 'OrganizationInvitation' && /^orginv_/.test(inv?.id ?? ''),
    inv?._raw ?? inv,
  );
  checkEqual(
    'createOrganizationInvitation: address as given, role, role name, organization, status, metadata',
    inv && [inv.emailAddress, inv.role, inv.roleName, inv.organizationId, inv.status, inv.publicMetadata, inv.privateMetadata],
    ['New.Person@Example.com', 'org:member', 'Member', organizationId, 'pending', { team: { name: 'red' } }, { seat: 7 }],
  );
  check(
    'createOrganizationInvitation: url = the redirectUrl with its __clerk_ticket',
    /^https:\/\/app\.example\/join\?from=mail&__clerk_ticket=[^&\s]+$/.test(inv?.url ?? ''),
    inv?.url,
  );
  checkEqual(
    'createOrganizationInvitation: expiresInDays 7; timestamps in ms',
    inv && [inv.expiresAt - inv.createdAt, inv.createdAt > 1e12, inv.updatedAt >= inv.createdAt],
    [7 * DAY, true, true],
  );
  checkEqual(
    'createOrganizationInvitation: inviter_id and public_inviter_data on the wire; no public_organization_data',
    inv && [
      inv._raw?.inviter_id,
      inv._raw?.public_inviter_data?.user_id,
      inv._raw?.public_inviter_data?.identifier,
      inv._raw?.public_inviter_data?.first_name,
      inv.publicOrganizationData,
    ],
    [host.id, host.id, 'inv-host@example.com', 'inv-host', undefined],
  );

  const plain = await call('createOrganizationInvitation minimal', () =>
    orgs.createOrganizationInvitation({ organizationId, emailAddress: 'plain@example.com', role: 'org:admin' }),
  );
  checkEqual(
    'minimal invitation: url, inviter_id, public_inviter_data null; empty metadata; Clerk\'s 30 days',
    plain && [
      kind(plain),
      plain.roleName,
      plain.url,
      plain._raw?.inviter_id,
      plain._raw?.public_inviter_data,
      plain.publicMetadata,
      plain.privateMetadata,
      plain.expiresAt - plain.createdAt,
    ],
    ['OrganizationInvitation', 'Admin', null, null, null, {}, {}, 30 * DAY],
  );

  const got = await call('getOrganizationInvitation', () =>
    orgs.getOrganizationInvitation({ organizationId, invitationId: inv.id }),
  );
  checkEqual('getOrganizationInvitation: the invitation as created', [kind(got), got?._raw], [
    'OrganizationInvitation',
    inv?._raw,
  ]);

  // ------------------------------------------------------------ the rules
  await expectError(
    'duplicate invitation (the same address in another case)',
    () => orgs.createOrganizationInvitation({ organizationId, emailAddress: 'new.person@EXAMPLE.com', role: 'org:admin' }),
    400,
    'organization_invitation_not_unique',
  );
  await expectError(
    'invitation of a member',
    () => orgs.createOrganizationInvitation({ organizationId, emailAddress: 'inv-helper@example.com', role: 'org:member' }),
    400,
    'already_a_member_in_organization',
  );
  await expectError(
    'invitation with an unknown role',
    () => orgs.createOrganizationInvitation({ organizationId, emailAddress: 'x@example.com', role: 'org:nope' }),
    404,
    'resource_not_found',
    'role',
  );
  await expectError(
    'invitation by an inviter who is no admin',
    () =>
      orgs.createOrganizationInvitation({
        organizationId,
        emailAddress: 'x@example.com',
        role: 'org:member',
        inviterUserId: helper.id,
      }),
    403,
    'not_an_admin_in_organization',
  );
  await expectError(
    'invitation to a malformed address',
    () => orgs.createOrganizationInvitation({ organizationId, emailAddress: 'not-an-email', role: 'org:member' }),
    422,
    'form_param_format_invalid',
    'email_address',
  );
  await expectError(
    'invitation with expiresInDays 0',
    () =>
      orgs.createOrganizationInvitation({ organizationId, emailAddress: 'x@example.com', role: 'org:member', expiresInDays: 0 }),
    422,
    'form_param_value_invalid',
    'expires_in_days',
  );
  await expectError(
    'createOrganizationInvitation in an unknown organization',
    () => orgs.createOrganizationInvitation({ organizationId: 'org_nope', emailAddress: 'x@example.com', role: 'org:member' }),
    404,
    'resource_not_found',
  );

  // ------------------------------------------------------------ bulk
  const bulk = await call('createOrganizationInvitationBulk', () =>
    orgs.createOrganizationInvitationBulk(organizationId, [
      { emailAddress: 'bulk-a@example.com', role: 'org:member', publicMetadata: { batch: 1 } },
      { emailAddress: 'bulk-b@example.com', role: 'org:admin', inviterUserId: host.id },
      { emailAddress: 'bulk-c@example.com', role: 'org:member', expiresInDays: 3 },
    ]),
  );
  checkEqual(
    'createOrganizationInvitationBulk: {data, totalCount}, OrganizationInvitations in request order',
    [arr(bulk?.data).map((i) => [kind(i), i.emailAddress, i.role, i.status]), bulk?.totalCount],
    [
      [
        ['OrganizationInvitation', 'bulk-a@example.com', 'org:member', 'pending'],
        ['OrganizationInvitation', 'bulk-b@example.com', 'org:admin', 'pending'],
        ['OrganizationInvitation', 'bulk-c@example.com', 'org:member', 'pending'],
      ],
      3,
    ],
  );
  const [bulkA, bulkB, bulkC] = arr(bulk?.data);
  checkEqual(
    "createOrganizationInvitationBulk: each item's own metadata, inviter and expiry",
    [bulkA?.publicMetadata, bulkA?._raw?.inviter_id, bulkB?._raw?.inviter_id, bulkC && bulkC.expiresAt - bulkC.createdAt],
    [{ batch: 1 }, null, host.id, 3 * DAY],
  );
  await expectError(
    'createOrganizationInvitationBulk with one address invited already: none created',
    () =>
      orgs.createOrganizationInvitationBulk(organizationId, [
        { emailAddress: 'bulk-fresh@example.com', role: 'org:member' },
        { emailAddress: 'bulk-a@example.com', role: 'org:member' },
      ]),
    400,
    'organization_invitation_not_unique',
  );

  // ------------------------------------------------------------ revoke
  const revoked = await call('revokeOrganizationInvitation without requestingUserId (no body)', () =>
    orgs.revokeOrganizationInvitation({ organizationId, invitationId: plain.id }),
  );
  checkEqual(
    'revokeOrganizationInvitation without requestingUserId: the invitation, revoked',
    [kind(revoked), revoked?.id, revoked?.status, revoked?.updatedAt >= plain?.updatedAt],
    ['OrganizationInvitation', plain?.id, 'revoked', true],
  );
  const revokedBy = await call('revokeOrganizationInvitation with requestingUserId (an admin)', () =>
    orgs.revokeOrganizationInvitation({ organizationId, invitationId: bulkC.id, requestingUserId: host.id }),
  );
  checkEqual(
    'revokeOrganizationInvitation with requestingUserId: the invitation, revoked',
    [kind(revokedBy), revokedBy?.id, revokedBy?.status],
    ['OrganizationInvitation', bulkC?.id, 'revoked'],
  );
  await expectError(
    'revokeOrganizationInvitation with a requestingUserId who is no admin',
    () => orgs.revokeOrganizationInvitation({ organizationId, invitationId: bulkB.id, requestingUserId: helper.id }),
    403,
    'not_an_admin_in_organization',
  );
  await expectError(
    'revokeOrganizationInvitation of a revoked invitation',
    () => orgs.revokeOrganizationInvitation({ organizationId, invitationId: plain.id }),
    404,
    'organization_invitation_not_pending',
  );
  await expectError(
    'getOrganizationInvitation unknown',
    () => orgs.getOrganizationInvitation({ organizationId, invitationId: 'orginv_nope' }),
    404,
    'resource_not_found',
  );

  // ------------------------------------------------------------ the organization's list
  const invList = (params) => orgs.getOrganizationInvitationList({ organizationId, ...params });
  const all = await call('getOrganizationInvitationList', () => invList({}));
  // The three of the bulk share a created_at: their order among themselves is not fixed.
  checkEqual(
    'getOrganizationInvitationList: newest first, totalCount; no invitation of the failed bulk',
    [new Set(invIds(all).slice(0, 3)), invIds(all).slice(3), all?.totalCount],
    [new Set([bulkA?.id, bulkB?.id, bulkC?.id]), [plain?.id, inv?.id], 5],
  );
  check(
    'getOrganizationInvitationList: every item an OrganizationInvitation with its status',
    arr(all?.data).length === 5 && all.data.every((i) => kind(i) === 'OrganizationInvitation' && i.status),
    arr(all?.data).map((i) => [kind(i), i?.status]),
  );
  for (const [status, expected] of [
    [['pending'], [bulkA, bulkB, inv]],
    [['revoked'], [bulkC, plain]],
    [['pending', 'revoked'], [bulkA, bulkB, bulkC, plain, inv]],
    [['accepted'], []],
    [['expired'], []],
    [['accepted', 'expired'], []],
  ]) {
    const page = await call(`getOrganizationInvitationList status ${status}`, () => invList({ status }));
    checkEqual(
      `getOrganizationInvitationList status=${status.join('&status=')}`,
      [new Set(invIds(page)), page?.totalCount],
      [new Set(expected.map((i) => i?.id)), expected.length],
    );
  }
  const page = await call('getOrganizationInvitationList limit/offset', () => invList({ limit: 2, offset: 3 }));
  checkEqual('getOrganizationInvitationList limit 2 offset 3', [invIds(page), page?.totalCount], [
    [plain?.id, inv?.id],
    5,
  ]);
  const first = await call('getOrganizationInvitationList limit (offset 0, not sent)', () => invList({ limit: 3, offset: 0 }));
  checkEqual('getOrganizationInvitationList limit 3 offset 0', [new Set(invIds(first)), first?.totalCount], [
    new Set([bulkA?.id, bulkB?.id, bulkC?.id]),
    5,
  ]);
  await expectError(
    'getOrganizationInvitationList of an unknown organization',
    () => orgs.getOrganizationInvitationList({ organizationId: 'org_nope' }),
    404,
    'resource_not_found',
  );

  // ------------------------------------------------------------ the invitee's list, and the accept
  // The invitee signs up: a user owning the invited address (verified; in another case).
  const joiner = await call('createUser new.person', () =>
    clerk.users.createUser({ emailAddress: ['new.person@example.com'], firstName: 'New' }),
  );
  const second = await call('createOrganization (invitations 2)', () =>
    orgs.createOrganization({ name: 'Invite Two', slug: 'invite-two', createdBy: host.id }),
  );
  const secondInv = await call('createOrganizationInvitation in the second organization', () =>
    orgs.createOrganizationInvitation({ organizationId: second.id, emailAddress: 'new.person@example.com', role: 'org:admin' }),
  );
  const mine = await call('users.getOrganizationInvitationList', () =>
    clerk.users.getOrganizationInvitationList({ userId: joiner.id }),
  );
  checkEqual(
    "users.getOrganizationInvitationList: the invitations to the user's address, every organization's, newest first",
    [arr(mine?.data).map((i) => [kind(i), i.id, i.organizationId, i.role]), mine?.totalCount],
    [
      [
        ['OrganizationInvitation', secondInv?.id, second?.id, 'org:admin'],
        ['OrganizationInvitation', inv?.id, organizationId, 'org:member'],
      ],
      2,
    ],
  );
  const pod = mine?.data?.[1]?.publicOrganizationData;
  checkEqual(
    'users.getOrganizationInvitationList: publicOrganizationData (passed through raw by the SDK)',
    pod && [pod.id, pod.name, pod.slug, pod.has_image, typeof pod.image_url],
    [organizationId, 'Invite Co', 'invite-co', false, 'string'],
  );
  const minePending = await call('users.getOrganizationInvitationList status pending, limit 1', () =>
    clerk.users.getOrganizationInvitationList({ userId: joiner.id, status: 'pending', limit: 1 }),
  );
  checkEqual(
    'users.getOrganizationInvitationList status=pending limit 1',
    [invIds(minePending), minePending?.totalCount],
    [[secondInv?.id], 2],
  );
  await expectError(
    'users.getOrganizationInvitationList of an unknown user',
    () => clerk.users.getOrganizationInvitationList({ userId: 'user_nope' }),
    404,
    'resource_not_found',
  );

  const acceptPath = (invitation) => `/organizations/${organizationId}/invitations/${invitation?.id}/accept`;
  const accepted = await rosterApi('POST', acceptPath(inv), { user_id: joiner.id });
  checkEqual(
    'POST …/accept (Roster extension): 200, the membership with the invited role and metadata',
    [
      accepted.status,
      accepted.body?.object,
      accepted.body?.role,
      accepted.body?.public_metadata,
      accepted.body?.private_metadata,
      accepted.body?.public_user_data?.user_id,
      accepted.body?.organization?.id,
    ],
    [200, 'organization_membership', 'org:member', { team: { name: 'red' } }, { seat: 7 }, joiner?.id, organizationId],
  );
  const joined = await call('getOrganizationMembershipList after the accept', () =>
    orgs.getOrganizationMembershipList({ organizationId, userId: [joiner.id] }),
  );
  checkEqual(
    'after the accept: the SDK reads one membership, with the invited role and metadata',
    [
      arr(joined?.data).map((m) => [kind(m), m.id, m.role, m.publicMetadata, m.privateMetadata, m.publicUserData?.userId]),
      joined?.totalCount,
    ],
    [
      [['OrganizationMembership', accepted.body?.id, 'org:member', { team: { name: 'red' } }, { seat: 7 }, joiner?.id]],
      1,
    ],
  );
  const nowAccepted = await call('getOrganizationInvitation after the accept', () =>
    orgs.getOrganizationInvitation({ organizationId, invitationId: inv.id }),
  );
  checkEqual('after the accept: the invitation reads accepted', [kind(nowAccepted), nowAccepted?.status], [
    'OrganizationInvitation',
    'accepted',
  ]);
  const acceptedList = await call('getOrganizationInvitationList status accepted', () =>
    invList({ status: ['accepted'] }),
  );
  checkEqual('getOrganizationInvitationList status=accepted', [invIds(acceptedList), acceptedList?.totalCount], [
    [inv?.id],
    1,
  ]);
  const mineAccepted = await call('users.getOrganizationInvitationList status accepted', () =>
    clerk.users.getOrganizationInvitationList({ userId: joiner.id, status: 'accepted' }),
  );
  checkEqual(
    'users.getOrganizationInvitationList status=accepted',
    [arr(mineAccepted?.data).map((i) => [i.id, i.status]), mineAccepted?.totalCount],
    [[[inv?.id, 'accepted']], 1],
  );
  const again = await rosterApi('POST', acceptPath(inv), { user_id: joiner.id });
  checkEqual(
    'POST …/accept again: 400 organization_invitation_already_accepted',
    [again.status, again.body?.errors?.[0]?.code],
    [400, 'organization_invitation_already_accepted'],
  );
  const wrongUser = await rosterApi('POST', acceptPath(bulkA), { user_id: joiner.id });
  checkEqual(
    "POST …/accept by a user without the invitation's address: 400 organization_invitation_identification_not_exist",
    [wrongUser.status, wrongUser.body?.errors?.[0]?.code],
    [400, 'organization_invitation_identification_not_exist'],
  );
  const counted = await call('getOrganization after the accept', () =>
    orgs.getOrganization({ organizationId, includeMembersCount: true }),
  );
  checkEqual(
    'getOrganization: membersCount and pending_invitations_count after the accept',
    [counted?.membersCount, counted?._raw?.pending_invitations_count],
    [3, 2],
  );
});

// ---------------------------------------------------------------- organization domains
// The SDK hands domains back as the raw JSON (its bundle has no OrganizationDomain class). A verified domain in
// automatic_invitation mode invites the users already at it (and those who sign up later): those invitations are
// counted in total_pending_invitations and read in the user's list, not in the organization's.
await section('organization domains', async () => {
  const orgs = clerk.organizations;
  const person = (email) => call(`createUser ${email}`, () => clerk.users.createUser({ emailAddress: [email] }));
  const owner = await person('owner@node-domain.test');
  const pat = await person('pat@node-domain.test');
  const quinn = await person('quinn@node-domain.test');
  const sam = await person('sam@node-suggest.test');
  const domOrg = await call('createOrganization (domains)', () =>
    orgs.createOrganization({ name: 'Domain Co', slug: 'domain-co', createdBy: owner.id }),
  );
  const organizationId = domOrg.id;

  await expectError(
    'createOrganizationDomain before domains are enabled',
    () => orgs.createOrganizationDomain({ organizationId, name: 'node-domain.test', enrollmentMode: 'automatic_invitation' }),
    403,
    'organization_domains_not_enabled',
  );
  const settings = await call('instance.updateOrganizationSettings', () =>
    clerk.instance.updateOrganizationSettings({
      domainsEnabled: true,
      domainsEnrollmentModes: ['automatic_invitation', 'automatic_suggestion'],
    }),
  );
  checkEqual(
    'instance.updateOrganizationSettings: an OrganizationSettings, domains enabled, both automatic modes',
    [kind(settings), settings?.domainsEnabled, settings?.domainsEnrollmentModes],
    ['OrganizationSettings', true, ['automatic_invitation', 'automatic_suggestion']],
  );

  // quinn has a pending invitation already: the domain makes no second one. The owner is a member.
  const quinnInv = await call('createOrganizationInvitation quinn', () =>
    orgs.createOrganizationInvitation({ organizationId, emailAddress: 'quinn@node-domain.test', role: 'org:admin' }),
  );
  const domain = await call('createOrganizationDomain automatic_invitation (the SDK sends verified: true)', () =>
    orgs.createOrganizationDomain({ organizationId, name: 'node-domain.test', enrollmentMode: 'automatic_invitation' }),
  );
  checkEqual(
    'createOrganizationDomain: the raw JSON, an organization_domain with id orgdmn_…',
    [kind(domain), domain?.object, /^orgdmn_/.test(domain?.id ?? '')],
    ['Object', 'organization_domain', true],
  );
  checkEqual(
    'createOrganizationDomain: verified by the admin; pat invited (not the owner, a member; not quinn, invited already)',
    domain && [
      domain.name,
      domain.organization_id,
      domain.enrollment_mode,
      domain.verification?.status,
      domain.verification?.strategy,
      domain.ownership_verification?.status,
      domain.affiliation_email_address,
      domain.total_pending_invitations,
      domain.total_pending_suggestions,
      domain.public_organization_data?.id,
    ],
    [
      'node-domain.test',
      organizationId,
      'automatic_invitation',
      'verified',
      'admin',
      'verified',
      null,
      1,
      0,
      organizationId,
    ],
  );
  check(
    'createOrganizationDomain: timestamps in ms, verified_at set',
    domain?.created_at > 1e12 && domain?.updated_at >= domain?.created_at && domain?.verification?.verified_at >= domain?.created_at,
    domain,
  );

  const patInvs = await call('users.getOrganizationInvitationList pat', () =>
    clerk.users.getOrganizationInvitationList({ userId: pat.id }),
  );
  checkEqual(
    "the domain's invitation to pat: pending, the domains default role, no inviter, the organization",
    [
      arr(patInvs?.data).map((i) => [
        kind(i),
        i.emailAddress,
        i.organizationId,
        i.role,
        i.status,
        i._raw?.inviter_id,
        i.publicOrganizationData?.id,
      ]),
      patInvs?.totalCount,
    ],
    [[['OrganizationInvitation', 'pat@node-domain.test', organizationId, 'org:member', 'pending', null, organizationId]], 1],
  );
  const quinnInvs = await call('users.getOrganizationInvitationList quinn', () =>
    clerk.users.getOrganizationInvitationList({ userId: quinn.id }),
  );
  checkEqual('quinn keeps the one invitation made before the domain', invIds(quinnInvs), [quinnInv?.id]);
  const orgInvs = await call('getOrganizationInvitationList (domains)', () =>
    orgs.getOrganizationInvitationList({ organizationId }),
  );
  checkEqual(
    "getOrganizationInvitationList: the domain's invitations are not in the organization's list",
    [invIds(orgInvs), orgInvs?.totalCount],
    [[quinnInv?.id], 1],
  );
  const counted = await call('getOrganization (domains)', () =>
    orgs.getOrganization({ organizationId, includeMembersCount: true }),
  );
  checkEqual(
    "getOrganization: pending_invitations_count counts the domain's invitation",
    [counted?.membersCount, counted?._raw?.pending_invitations_count],
    [1, 2],
  );
  // A user who signs up at the domain afterwards is invited too.
  const late = await person('late@node-domain.test');
  const lateInvs = await call('users.getOrganizationInvitationList late', () =>
    clerk.users.getOrganizationInvitationList({ userId: late.id, status: 'pending' }),
  );
  checkEqual(
    'a user created at the domain afterwards is invited',
    arr(lateInvs?.data).map((i) => [i.emailAddress, i.organizationId, i.status]),
    [['late@node-domain.test', organizationId, 'pending']],
  );

  const suggest = await call('createOrganizationDomain automatic_suggestion, verified false', () =>
    orgs.createOrganizationDomain({
      organizationId,
      name: 'node-suggest.test',
      enrollmentMode: 'automatic_suggestion',
      verified: false,
    }),
  );
  checkEqual(
    'createOrganizationDomain verified false: unverified, no ownership verification, nobody enrolled',
    suggest && [
      suggest.enrollment_mode,
      suggest.verification?.status,
      suggest.verification?.verified_at,
      suggest.ownership_verification,
      suggest.total_pending_invitations,
      suggest.total_pending_suggestions,
    ],
    ['automatic_suggestion', 'unverified', null, null, 0, 0],
  );
  const domList = (params) => orgs.getOrganizationDomainList({ organizationId, ...params });
  const listed = await call('getOrganizationDomainList', () => domList({}));
  checkEqual(
    'getOrganizationDomainList: {data, totalCount}, raw JSON, newest first, the counts as they are now',
    [arr(listed?.data).map((d) => [kind(d), d.id, d.total_pending_invitations]), listed?.totalCount],
    [
      [
        ['Object', suggest?.id, 0],
        ['Object', domain?.id, 2],
      ],
      2,
    ],
  );
  const domPage = await call('getOrganizationDomainList limit/offset', () => domList({ limit: 1, offset: 1 }));
  checkEqual('getOrganizationDomainList limit 1 offset 1', [arr(domPage?.data).map((d) => d.id), domPage?.totalCount], [
    [domain?.id],
    2,
  ]);

  const verified = await call('updateOrganizationDomain verified true', () =>
    orgs.updateOrganizationDomain({ organizationId, domainId: suggest.id, verified: true }),
  );
  checkEqual(
    'updateOrganizationDomain verified: true: verified by the admin; sam suggested',
    verified && [
      kind(verified),
      verified.id,
      verified.verification?.status,
      verified.verification?.strategy,
      verified.ownership_verification?.status,
      typeof verified.verification?.verified_at,
      verified.total_pending_suggestions,
      verified.total_pending_invitations,
    ],
    ['Object', suggest?.id, 'verified', 'admin', 'verified', 'number', 1, 0],
  );
  const switched = await call('updateOrganizationDomain enrollmentMode automatic_invitation', () =>
    orgs.updateOrganizationDomain({ organizationId, domainId: suggest.id, enrollmentMode: 'automatic_invitation' }),
  );
  checkEqual(
    'updateOrganizationDomain enrollmentMode automatic_invitation: sam invited',
    switched && [switched.enrollment_mode, switched.verification?.status, switched.total_pending_invitations],
    ['automatic_invitation', 'verified', 1],
  );
  const samInvs = await call('users.getOrganizationInvitationList sam', () =>
    clerk.users.getOrganizationInvitationList({ userId: sam.id }),
  );
  checkEqual(
    "sam's invitation from the domain",
    arr(samInvs?.data).map((i) => [i.emailAddress, i.organizationId, i.role, i.status]),
    [['sam@node-suggest.test', organizationId, 'org:member', 'pending']],
  );
  const manual = await call('updateOrganizationDomain manual_invitation, verified false', () =>
    orgs.updateOrganizationDomain({ organizationId, domainId: suggest.id, enrollmentMode: 'manual_invitation', verified: false }),
  );
  checkEqual(
    'updateOrganizationDomain enrollmentMode manual_invitation, verified: false',
    manual && [manual.enrollment_mode, manual.verification?.status, manual.verification?.verified_at, manual.ownership_verification],
    ['manual_invitation', 'unverified', null, null],
  );

  // The domain's invitation accepted (Roster's extension): a membership with the domains default role.
  const lateInv = lateInvs?.data?.[0];
  const accepted = await rosterApi('POST', `/organizations/${organizationId}/invitations/${lateInv?.id}/accept`, {
    user_id: late?.id,
  });
  checkEqual('POST …/accept of a domain invitation: 200, org:member', [accepted.status, accepted.body?.role], [
    200,
    'org:member',
  ]);
  const lateMember = await call('getOrganizationMembershipList late', () =>
    orgs.getOrganizationMembershipList({ organizationId, userId: [late.id] }),
  );
  checkEqual(
    'after the accept: the SDK reads the membership',
    arr(lateMember?.data).map((m) => [kind(m), m.role, m.publicMetadata, m.publicUserData?.userId]),
    [['OrganizationMembership', 'org:member', {}, late?.id]],
  );

  // ------------------------------------------------------------ errors
  await expectError(
    'createOrganizationDomain: a name the organization has',
    () => orgs.createOrganizationDomain({ organizationId, name: 'node-domain.test', enrollmentMode: 'manual_invitation' }),
    422,
    'organization_domain_already_exists_same_organization',
    'name',
  );
  const rival = await call('createOrganization (domains 2)', () =>
    orgs.createOrganization({ name: 'Rival Co', createdBy: owner.id }),
  );
  await expectError(
    "createOrganizationDomain: another organization's name",
    () =>
      orgs.createOrganizationDomain({ organizationId: rival.id, name: 'node-domain.test', enrollmentMode: 'manual_invitation' }),
    422,
    'organization_domain_already_exists',
    'name',
  );
  await expectError(
    'createOrganizationDomain: a common email provider',
    () => orgs.createOrganizationDomain({ organizationId, name: 'gmail.com', enrollmentMode: 'manual_invitation' }),
    422,
    'organization_domain_common',
    'name',
  );
  await expectError(
    'createOrganizationDomain: not a domain name',
    () => orgs.createOrganizationDomain({ organizationId, name: 'not a domain', enrollmentMode: 'manual_invitation' }),
    422,
    'form_param_format_invalid',
    'name',
  );
  await expectError(
    'updateOrganizationDomain: unknown domain',
    () => orgs.updateOrganizationDomain({ organizationId, domainId: 'orgdmn_nope', verified: true }),
    404,
    'resource_not_found',
  );

  // ------------------------------------------------------------ delete
  const gone = await call('deleteOrganizationDomain', () =>
    orgs.deleteOrganizationDomain({ organizationId, domainId: domain.id }),
  );
  checkEqual(
    'deleteOrganizationDomain: a DeletedObject',
    [kind(gone), gone?.object, gone?.id, gone?.deleted],
    ['DeletedObject', 'organization_domain', domain?.id, true],
  );
  const patAfter = await call('users.getOrganizationInvitationList pat after the delete', () =>
    clerk.users.getOrganizationInvitationList({ userId: pat.id }),
  );
  checkEqual(
    "deleting the domain revokes its pending invitations (the accepted one stays)",
    [arr(patAfter?.data).map((i) => i.status), lateInv && (await orgs.getOrganizationInvitation({ organizationId, invitationId: lateInv.id })).status],
    [['revoked'], 'accepted'],
  );
  const left = await call('getOrganizationDomainList after the delete', () => domList({}));
  checkEqual('getOrganizationDomainList after the delete', [arr(left?.data).map((d) => d.id), left?.totalCount], [
    [suggest?.id],
    1,
  ]);
  await expectError(
    'deleteOrganizationDomain again',
    () => orgs.deleteOrganizationDomain({ organizationId, domainId: domain.id }),
    404,
    'resource_not_found',
  );
  const cleanup = await call('deleteOrganizationDomain (the second)', () =>
    orgs.deleteOrganizationDomain({ organizationId, domainId: suggest.id }),
  );
  checkEqual('deleteOrganizationDomain (the second)', [cleanup?.id, cleanup?.deleted], [suggest?.id, true]);
});

// ---------------------------------------------------------------- session tokens
// Roster's tokens verified by the SDK itself, as an app's backend does: `verifyToken` and
// `authenticateRequest` fetch the keys from Roster's GET /v1/jwks (apiUrl) and read the claims into
// `toAuth()` and `has()`.
const issuer = process.env.ROSTER_ISSUER ?? 'https://clerk.roster.local';
// A publishable key names the frontend API, the host of the tokens' issuer: pk_test_ + base64("<host>$").
const publishableKey = `pk_test_${Buffer.from(`${new URL(issuer).host}$`).toString('base64').replace(/=+$/, '')}`;
/** A JWT's header (0) or payload (1), decoded without verification; {} when it is not a JWT. */
const jwtPart = (jwt, i) => {
  try {
    return JSON.parse(Buffer.from(String(jwt).split('.')[i], 'base64url').toString('utf8'));
  } catch {
    return {};
  }
};

/** Starts another roster (ROSTER_BIN) on port 0 with a fresh SQLite file: a second, unrelated instance. */
function startOtherRoster(extraEnv = {}) {
  const bin = process.env.ROSTER_BIN;
  if (!bin) return Promise.reject(new Error('ROSTER_BIN (the roster binary) is not set'));
  const dir = mkdtempSync(join(tmpdir(), 'roster-compat-other-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--database-url', `sqlite://${dir}/roster.db`], {
    env: { ...process.env, ROSTER_SECRET_KEY: secretKey, ROSTER_LOG: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  process.on('exit', () => running() && child.kill());
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const stop = async () => {
    if (running()) {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop().finally(() => reject(new Error(`second roster ${why}; its stderr: ${stderr}`)));
    };
    const timer = setTimeout(() => fail('printed no address within 60 s'), 60_000);
    child.on('error', (e) => fail(`did not start (${e.message})`));
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`));
    // Reading every line also keeps its stdout drained.
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (settled || !line.startsWith('roster listening on ')) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url: line.slice('roster listening on '.length).trim(), stop });
    });
  });
}

/** `verifyToken` must throw a TokenVerificationError with this reason. */
async function expectRejected(name, jwt, options, reason) {
  try {
    const claims = await verifyToken(jwt, options);
    return check(name, false, { expected: reason, actual: 'accepted', claims });
  } catch (e) {
    return check(name, kind(e) === 'TokenVerificationError' && e.reason === reason, {
      expected: reason,
      actual: { type: kind(e), reason: e?.reason, message: e?.message },
    });
  }
}

await section('session tokens', async () => {
  // Started now, used at the end: another instance, and a 30 s token that must have expired by then.
  const otherStarting = startOtherRoster().then(
    (server) => ({ server }),
    (error) => ({ error }),
  );
  let other;
  try {
    const app = createClerkClient({ secretKey, apiUrl, publishableKey, telemetry: { disabled: true } });
    const verifyOptions = { secretKey, apiUrl };
    const authenticate = (jwt) =>
      app.authenticateRequest(new Request('http://localhost/api', { headers: { Authorization: `Bearer ${jwt}` } }));
    const tokenFor = async (name, sessionId, template, expiresInSeconds) =>
      (await call(name, () => clerk.sessions.getToken(sessionId, template, expiresInSeconds)))?.jwt;

    // nora belongs to no organization (a session picks the user's latest organization when given none).
    const people = {};
    for (const key of ['ada', 'max', 'bill', 'nora']) {
      people[key] = await call(`createUser ${key} (tokens)`, () =>
        clerk.users.createUser({ emailAddress: [`tokens-${key}@example.com`] }),
      );
    }
    const tokOrg = await call('createOrganization (tokens)', () =>
      clerk.organizations.createOrganization({ name: 'Token Co', slug: 'token-co', createdBy: people.ada.id }),
    );
    const sessions = {};
    sessions.ada = await call('createSession ada', () =>
      clerk.sessions.createSession({ userId: people.ada.id, activeOrganizationId: tokOrg.id }),
    );
    const shortJwt = await tokenFor('getToken expiresInSeconds 30', sessions.ada.id, '', 30);

    // A custom role, org:billing, with two custom permissions; org:invoices:write exists but is not given.
    const perm = {};
    for (const [key, name] of [
      ['org:invoices:read', 'Read invoices'],
      ['org:invoices:write', 'Write invoices'],
      ['org:reports:read', 'Read reports'],
    ]) {
      perm[key] = await call(`createOrganizationPermission ${key}`, () =>
        clerk.organizationPermissions.createOrganizationPermission({ name, key, description: name }),
      );
    }
    const read = perm['org:invoices:read'];
    checkEqual('createOrganizationPermission: a Permission', [kind(read), read?.key], [
      'Permission',
      'org:invoices:read',
    ]);
    const billing = await call('createOrganizationRole org:billing', () =>
      clerk.organizationRoles.createOrganizationRole({
        name: 'Billing',
        key: 'org:billing',
        description: 'Reads invoices and reports',
        permissions: [perm['org:invoices:read'].id, perm['org:reports:read'].id],
      }),
    );
    checkEqual(
      'createOrganizationRole: a Role with its permissions',
      [kind(billing), billing?.key, new Set(arr(billing?.permissions).map((p) => p.key))],
      ['Role', 'org:billing', new Set(['org:invoices:read', 'org:reports:read'])],
    );
    for (const [key, role] of [
      ['max', 'org:member'],
      ['bill', 'org:billing'],
    ]) {
      await call(`createOrganizationMembership ${key}`, () =>
        clerk.organizations.createOrganizationMembership({ organizationId: tokOrg.id, userId: people[key].id, role }),
      );
    }
    const memberships = await call('membership list (tokens)', () =>
      clerk.organizations.getOrganizationMembershipList({ organizationId: tokOrg.id }),
    );
    const permissionsOf = (key) =>
      new Set(arr(memberships?.data).find((m) => m.publicUserData?.userId === people[key].id)?.permissions);
    for (const key of ['max', 'bill']) {
      sessions[key] = await call(`createSession ${key}`, () =>
        clerk.sessions.createSession({ userId: people[key].id, activeOrganizationId: tokOrg.id }),
      );
    }
    sessions.nora = await call('createSession without organization', () =>
      clerk.sessions.createSession({ userId: people.nora.id }),
    );

    // ------------------------------------------------------------ issue and verify
    const issued = await call('sessions.getToken', () => clerk.sessions.getToken(sessions.ada.id));
    checkEqual('getToken: a Token with a compact JWS', [kind(issued), String(issued?.jwt).split('.').length], [
      'Token',
      3,
    ]);
    const jwts = { ada: issued?.jwt };
    const jwks = await call('jwks.getJwks', () => clerk.jwks.getJwks());
    const header = jwtPart(jwts.ada, 0);
    checkEqual(
      'GET /v1/jwks: one RSA signing key, the one named in the token header',
      [arr(jwks?.keys).map((k) => [k.kid, k.kty, k.alg, k.use, k.e, typeof k.n]), header],
      [[[header.kid, 'RSA', 'RS256', 'sig', 'AQAB', 'string']], { alg: 'RS256', kid: header.kid, typ: 'JWT' }],
    );
    const claims = await call('verifyToken', () => verifyToken(jwts.ada, verifyOptions));
    checkEqual(
      'verifyToken: the claims (v2, the active organization)',
      claims && {
        sub: claims.sub,
        sid: claims.sid,
        iss: claims.iss,
        azp: claims.azp,
        v: claims.v,
        fva: claims.fva,
        lifetime: claims.exp - claims.iat,
        nbfBeforeIat: claims.iat - claims.nbf,
        o: { id: claims.o?.id, slg: claims.o?.slg, rol: claims.o?.rol },
      },
      {
        sub: people.ada.id,
        sid: sessions.ada.id,
        iss: issuer,
        azp: process.env.ROSTER_AUTHORIZED_PARTY,
        v: 2,
        fva: [0, -1],
        lifetime: 60,
        nbfBeforeIat: 10,
        o: { id: tokOrg.id, slg: 'token-co', rol: 'admin' },
      },
    );
    const shortClaims = await call('verifyToken (30 s token)', () => verifyToken(shortJwt, verifyOptions));
    checkEqual(
      'getToken expiresInSeconds 30: exp = iat + 30, valid now',
      shortClaims && shortClaims.exp - shortClaims.iat,
      30,
    );

    // ------------------------------------------------------------ authenticateRequest, toAuth, has
    const authOf = async (who, jwt) => {
      const state = await call(`authenticateRequest ${who}`, () => authenticate(jwt));
      checkEqual(`authenticateRequest ${who}: signed-in`, [state?.status, state?.isAuthenticated, state?.reason], [
        'signed-in',
        true,
        null,
      ]);
      return state?.toAuth();
    };
    // A fresh token of the session, through authenticateRequest.
    const freshAuth = async (who, key) => authOf(who, await tokenFor(`getToken ${who}`, sessions[key].id));
    const has = (auth, q) => auth?.has?.(q);
    const asks = [
      ['role org:admin', { role: 'org:admin' }],
      ['role org:member', { role: 'org:member' }],
      ['role org:billing', { role: 'org:billing' }],
      ['org:sys_memberships:manage', { permission: 'org:sys_memberships:manage' }],
      ['org:sys_memberships:read', { permission: 'org:sys_memberships:read' }],
      ['org:invoices:read', { permission: 'org:invoices:read' }],
      ['org:invoices:write', { permission: 'org:invoices:write' }],
      ['org:reports:read', { permission: 'org:reports:read' }],
    ];
    const expectedHas = {
      ada: [true, false, false, true, true, false, false, false],
      max: [false, true, false, false, true, false, false, false],
      bill: [false, false, true, false, false, true, false, true],
    };
    for (const key of ['max', 'bill']) jwts[key] = await tokenFor(`getToken ${key}`, sessions[key].id);
    for (const [key, role] of [
      ['ada', 'org:admin'],
      ['max', 'org:member'],
      ['bill', 'org:billing'],
    ]) {
      const auth = await authOf(key, jwts[key]);
      checkEqual(
        `toAuth ${key}: userId, sessionId, orgId, orgSlug, orgRole`,
        [auth?.userId, auth?.sessionId, auth?.orgId, auth?.orgSlug, auth?.orgRole],
        [people[key].id, sessions[key].id, tokOrg.id, 'token-co', role],
      );
      checkEqual(
        `toAuth ${key}: orgPermissions = the membership's permissions`,
        new Set(auth?.orgPermissions),
        permissionsOf(key),
      );
      checkEqual(
        `has() ${key} (${role})`,
        Object.fromEntries(asks.map(([label, q]) => [label, has(auth, q)])),
        Object.fromEntries(asks.map(([label], i) => [label, expectedHas[key][i]])),
      );
    }
    checkEqual(
      'membership permissions of org:billing',
      permissionsOf('bill'),
      new Set(['org:invoices:read', 'org:reports:read']),
    );
    const noOrg = await freshAuth('without organization', 'nora');
    checkEqual(
      'no active organization: no o claim, no orgId, has() false',
      [noOrg?.userId, noOrg?.sessionClaims?.o, noOrg?.orgId, has(noOrg, { role: 'org:admin' })],
      [people.nora.id, undefined, undefined, false],
    );

    // ------------------------------------------------------------ JWT templates
    const template = await call('jwtTemplates.create', () =>
      clerk.jwtTemplates.create({
        name: 'compat-invoices',
        claims: {
          email: '{{user.primary_email_address}}',
          org: { slug: '{{org.slug}}', role: '{{org.role}}', permissions: '{{org.permissions}}' },
          greeting: 'hello {{user.first_name || "there"}}',
        },
        lifetime: 120,
        allowedClockSkew: 7,
      }),
    );
    checkEqual(
      'jwtTemplates.create: a JwtTemplate',
      template && [
        kind(template),
        template.name,
        template.lifetime,
        template.allowedClockSkew,
        template.customSigningKey,
        template.signingAlgorithm,
      ],
      ['JwtTemplate', 'compat-invoices', 120, 7, false, 'RS256'],
    );
    const templJwt = await tokenFor('getToken with template', sessions.bill.id, 'compat-invoices');
    const templClaims = await call('verifyToken (template token)', () => verifyToken(templJwt, verifyOptions));
    checkEqual(
      'template token: verifyToken accepts it; shortcodes rendered',
      templClaims && {
        kid: jwtPart(templJwt, 0).kid,
        sub: templClaims.sub,
        iss: templClaims.iss,
        email: templClaims.email,
        org: templClaims.org,
        greeting: templClaims.greeting,
        lifetime: templClaims.exp - templClaims.iat,
        skew: templClaims.iat - templClaims.nbf,
      },
      {
        kid: header.kid,
        sub: people.bill.id,
        iss: issuer,
        email: 'tokens-bill@example.com',
        org: { slug: 'token-co', role: 'org:billing', permissions: ['org:invoices:read', 'org:reports:read'] },
        greeting: 'hello there',
        lifetime: 120,
        skew: 7,
      },
    );
    const hsSecret = 'compat-suite-hs256-secret-0123456789abcdef';
    const hsTemplate = await call('jwtTemplates.create HS256', () =>
      clerk.jwtTemplates.create({
        name: 'compat-hs256',
        claims: { uid: '{{user.id}}' },
        customSigningKey: true,
        signingAlgorithm: 'HS256',
        signingKey: hsSecret,
      }),
    );
    checkEqual(
      'jwtTemplates.create HS256: custom signing key',
      hsTemplate && [hsTemplate.customSigningKey, hsTemplate.signingAlgorithm],
      [true, 'HS256'],
    );
    const hsJwt = await tokenFor('getToken with HS256 template', sessions.bill.id, 'compat-hs256');
    const [h, p, sig] = String(hsJwt).split('.');
    const hmac = createHmac('sha256', hsSecret).update(`${h}.${p}`).digest('base64url');
    checkEqual(
      'HS256 template token: signed with the template secret',
      [jwtPart(hsJwt, 0), hmac === sig, jwtPart(hsJwt, 1).uid],
      [{ alg: 'HS256', typ: 'JWT' }, true, people.bill.id],
    );
    // It names no key of the JWKS (verifyToken knows RS256 only): the app verifies it with the secret itself.
    await expectRejected('HS256 template token: verifyToken refuses it', hsJwt, verifyOptions, 'jwk-kid-mismatch');
    await expectError(
      'getToken with an unknown template',
      () => clerk.sessions.getToken(sessions.bill.id, 'nope'),
      404,
      'resource_not_found',
    );
    await expectError(
      'getToken expiresInSeconds 29',
      () => clerk.sessions.getToken(sessions.bill.id, '', 29),
      422,
      'form_param_value_invalid',
      'expires_in_seconds',
    );

    // ------------------------------------------------------------ the README's example app
    const example = await call('protect-your-app: startApp', () => startApp({ apiUrl, secretKey, port: 0 }));
    if (example) {
      try {
        const get = async (jwt) => {
          const headers = jwt ? { Authorization: `Bearer ${jwt}` } : {};
          const res = await fetch(`${example.url}/invoices`, { headers });
          return [res.status, await res.json()];
        };
        const [anonymous, member, reader] = [await get(), await get(jwts.max), await get(jwts.bill)];
        checkEqual(
          'protect-your-app: no token 401, member 403, org:invoices:read 200 {userId, orgId}',
          [anonymous[0], member[0], reader],
          [401, 403, [200, { userId: people.bill.id, orgId: tokOrg.id }]],
        );
      } finally {
        await example.close();
      }
    }

    // ------------------------------------------------------------ tokens follow changes
    const maxMember = { organizationId: tokOrg.id, userId: people.max.id };
    await call('updateOrganizationMembership max -> org:billing', () =>
      clerk.organizations.updateOrganizationMembership({ ...maxMember, role: 'org:billing' }),
    );
    const promoted = await freshAuth('max after role change', 'max');
    checkEqual(
      'role change: the next token has the new role and its permissions',
      [
        promoted?.orgRole,
        has(promoted, { role: 'org:billing' }),
        has(promoted, { role: 'org:member' }),
        has(promoted, { permission: 'org:invoices:read' }),
      ],
      ['org:billing', true, false, true],
    );
    const stale = await authOf('max, token issued before the change', jwts.max);
    checkEqual('role change: a token issued before keeps its claims until it expires', stale?.orgRole, 'org:member');

    await call('removePermissionFromOrganizationRole org:invoices:read', () =>
      clerk.organizationRoles.removePermissionFromOrganizationRole({
        organizationRoleId: billing.id,
        permissionId: perm['org:invoices:read'].id,
      }),
    );
    const trimmed = await freshAuth('max after permission removal', 'max');
    checkEqual(
      'permission removed from the role: the next token drops it',
      [
        trimmed?.orgPermissions,
        has(trimmed, { permission: 'org:invoices:read' }),
        has(trimmed, { permission: 'org:reports:read' }),
      ],
      [['org:reports:read'], false, true],
    );

    await call('deleteOrganizationMembership max', () => clerk.organizations.deleteOrganizationMembership(maxMember));
    const removed = await freshAuth('max after membership deletion', 'max');
    checkEqual(
      'membership deleted: the next token has no organization',
      [removed?.userId, removed?.orgId, removed?.orgRole, has(removed, { role: 'org:billing' })],
      [people.max.id, undefined, undefined, false],
    );

    await call('revokeSession (tokens)', () => clerk.sessions.revokeSession(sessions.nora.id));
    await expectError(
      'getToken of a revoked session',
      () => clerk.sessions.getToken(sessions.nora.id),
      400,
      'invalid_action_for_session',
    );

    // ------------------------------------------------------------ rejections
    // Tampering: the member's own token, its role raised to admin, the signature kept.
    const [th, , ts] = String(jwts.bill).split('.');
    const raised = jwtPart(jwts.bill, 1);
    raised.o = { ...raised.o, rol: 'admin' };
    const tampered = [th, Buffer.from(JSON.stringify(raised)).toString('base64url'), ts].join('.');
    await expectRejected('tampered token: verifyToken', tampered, verifyOptions, 'token-invalid-signature');
    const tamperedState = await call('authenticateRequest tampered', () => authenticate(tampered));
    checkEqual(
      'tampered token: authenticateRequest signed-out',
      [tamperedState?.status, tamperedState?.reason, tamperedState?.toAuth()?.userId],
      ['signed-out', 'token-invalid-signature', null],
    );

    // Another instance: its own keys, so its token verifies against its own JWKS only.
    const started = await otherStarting;
    if (!check('second roster started', !!started.server, started.error?.message)) return;
    other = started.server;
    const otherClerk = createClerkClient({ secretKey, apiUrl: other.url });
    const stranger = await call('other instance: createUser', () =>
      otherClerk.users.createUser({ emailAddress: ['stranger@example.com'] }),
    );
    const strangerSession = await call('other instance: createSession', () =>
      otherClerk.sessions.createSession({ userId: stranger.id }),
    );
    const strangerJwt = (await call('other instance: getToken', () => otherClerk.sessions.getToken(strangerSession.id)))
      ?.jwt;
    const own = await call('other instance: verifyToken against its own JWKS', () =>
      verifyToken(strangerJwt, { secretKey, apiUrl: other.url }),
    );
    checkEqual(
      'other instance: its token verifies against its own JWKS, under another kid',
      [own?.sub, jwtPart(strangerJwt, 0).kid !== header.kid],
      [stranger.id, true],
    );
    await expectRejected(
      'other instance token: verifyToken against this instance',
      strangerJwt,
      verifyOptions,
      'jwk-kid-mismatch',
    );
    const strangerState = await call('authenticateRequest other instance', () => authenticate(strangerJwt));
    checkEqual(
      'other instance token: authenticateRequest signed-out',
      [strangerState?.status, strangerState?.reason],
      ['signed-out', 'jwk-kid-mismatch'],
    );

    // Expiry: the 30 s token, past exp and the SDK's 5 s clock skew.
    if (shortClaims) {
      const wait = shortClaims.exp * 1000 + 5000 + 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await expectRejected('expired token: verifyToken', shortJwt, verifyOptions, 'token-expired');
      const expired = await call('authenticateRequest expired', () => authenticate(shortJwt));
      // A header token cannot be refreshed (no refresh cookie), so the SDK signs the request out.
      checkEqual(
        'expired token: authenticateRequest signed-out',
        [expired?.status, expired?.isAuthenticated, expired?.reason],
        ['signed-out', false, 'session-token-expired-refresh-non-eligible-no-refresh-cookie'],
      );
    }
  } finally {
    const started = other ? { server: other } : await otherStarting;
    await started.server?.stop();
  }
});

// ---------------------------------------------------------------- webhooks
// Roster's event log delivered to receivers in this process, every delivery verified with the SDK's own
// verifyWebhook (Standard Webhooks signatures in the svix-* headers), and compared with GET /v1/events and with
// what the SDK reads back right after each write. A second endpoint answers 500 to the first attempt of every
// message: its retries must carry the same svix-id and a signature that verifies (run.sh sets
// ROSTER_WEBHOOK_RETRY_SCHEDULE short; with the default schedule the first retry comes after 5 s).
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until it returns a truthy value; after `ms` the check `name` fails (with `details()`). */
async function until(name, probe, ms, details) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      check(`${name} (waited ${ms} ms)`, false, details?.());
      return undefined;
    }
    await sleep(50);
  }
}

/** A raw request to Roster's API, for the Roster extensions the SDK has no methods for: {status, body}. */
async function rosterApi(method, path, body, base = apiUrl) {
  const res = await fetch(`${base}/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${secretKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Every event after the id `after` (all of them without it), paging through GET /v1/events. */
async function eventsAfter(after, base = apiUrl, filters = {}) {
  const out = [];
  let cursor = after;
  for (;;) {
    const q = new URLSearchParams({ limit: '500', ...filters, ...(cursor ? { after: cursor } : {}) });
    const page = await rosterApi('GET', `/events?${q}`, undefined, base);
    if (page.status !== 200 || !Array.isArray(page.body?.data)) {
      throw new Error(`GET /v1/events?${q}: ${page.status} ${show(page.body)}`);
    }
    out.push(...page.body.data);
    if (!page.body.has_more || page.body.data.length === 0) return out;
    cursor = page.body.data.at(-1).id;
  }
}

/** A receiver on 127.0.0.1, port 0, recording every request; `respond(delivery, earlier)` is the status it answers. */
async function startReceiver(respond = () => 200) {
  const deliveries = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const d = {
      receivedAt: Date.now(),
      method: req.method,
      path: req.url,
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
    };
    d.status = respond(d, deliveries);
    deliveries.push(d);
    res.writeHead(d.status, { 'content-type': 'text/plain' });
    res.end(d.status < 300 ? 'ok' : 'not now');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks`,
    deliveries,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

const svixHeaders = (h) => ({
  'content-type': h['content-type'],
  'svix-id': h['svix-id'],
  'svix-timestamp': h['svix-timestamp'],
  'svix-signature': h['svix-signature'],
});

/** verifyWebhook on a delivery (or on its headers with another body): {event} or {error: message}. */
async function verifyDelivery(d, signingSecret, body = d.body) {
  try {
    const request = new Request('http://localhost/hooks', { method: 'POST', headers: svixHeaders(d.headers), body });
    return { event: await verifyWebhook(request, { signingSecret }) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** A Standard Webhooks signature, computed here: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
function signWebhook(secret, id, timestamp, body) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The key deliveries are ordered by: the organization of organization and membership events, else the id. */
const orderKey = (e) => (e.type.startsWith('organizationMembership.') ? e.data?.organization?.id : e.data?.id);
const byKey = (events, key) => events.filter((e) => orderKey(e) === key).map((e) => e.id);
/** The webhook body's fields, as verifyWebhook hands them back and GET /v1/events lists them. */
const wireFields = (e) =>
  e && { type: e.type, object: e.object, data: e.data, timestamp: e.timestamp, instance_id: e.instance_id };
const signatureError = /Unable to verify incoming webhook: No matching signature found/;

await section('webhooks', async () => {
  const ok = await startReceiver();
  const seenBefore = (d, earlier) => earlier.some((x) => x.headers['svix-id'] === d.headers['svix-id']);
  const flaky = await startReceiver((d, earlier) => (seenBefore(d, earlier) ? 200 : 500));
  try {
    // Where the log stands: a marker write, once its event is listed (on PostgreSQL events are listed once a
    // sequencer step has ordered them, every earlier one with them), is the cursor; the endpoints come after it.
    const marker = await clerk.users.createUser({ emailAddress: ['hooks-marker@example.com'] });
    const before = await until(
      'GET /v1/events lists the marker write',
      async () => {
        const all = await eventsAfter();
        return all.at(-1)?.data?.id === marker.id && all;
      },
      10_000,
    );
    if (!before) return;
    const cursor = before.at(-1).id;
    check(
      'GET /v1/events: the earlier sections are in the log, ids evt_ + 11 base62, ascending',
      before.length > 1 &&
        before.every((e, i) => /^evt_[0-9A-Za-z]{11}$/.test(e.id) && (i === 0 || before[i - 1].id < e.id)),
      before.slice(0, 3).map((e) => e.id),
    );
    checkEqual(
      'GET /v1/events: the marker user.created',
      [before.at(-1).type, before.at(-1).object],
      ['user.created', 'event'],
    );

    // ------------------------------------------------------------ endpoints
    const created = await rosterApi('POST', '/webhook_endpoints', { url: ok.url, description: 'compat: every event' });
    const endpoint = created.body;
    checkEqual(
      'POST /v1/webhook_endpoints: a webhook_endpoint, every type, with its whsec_ secret',
      [
        created.status,
        endpoint?.object,
        endpoint?.url,
        endpoint?.event_types,
        endpoint?.disabled,
        endpoint?.disabled_reason,
        /^whsec_[A-Za-z0-9+/]+=*$/.test(endpoint?.secret ?? ''),
        /^whe_/.test(endpoint?.id ?? ''),
      ],
      [200, 'webhook_endpoint', ok.url, [], false, null, true, true],
    );
    const flakySecret = `whsec_${randomBytes(32).toString('base64')}`;
    const membershipTypes = ['organizationMembership.deleted', 'organizationMembership.updated'];
    const flakyCreated = await rosterApi('POST', '/webhook_endpoints', {
      url: flaky.url,
      event_types: membershipTypes,
      secret: flakySecret,
    });
    const flakyEndpoint = flakyCreated.body;
    checkEqual(
      'POST /v1/webhook_endpoints with event_types and a given secret',
      [flakyCreated.status, [...arr(flakyEndpoint?.event_types)].sort(), flakyEndpoint?.secret],
      [200, membershipTypes, flakySecret],
    );
    const fetched = await rosterApi('GET', `/webhook_endpoints/${endpoint?.id}`);
    checkEqual(
      'GET /v1/webhook_endpoints/{id}: the endpoint, without its secret',
      [fetched.status, fetched.body?.id, fetched.body?.url, 'secret' in (fetched.body ?? {})],
      [200, endpoint?.id, ok.url, false],
    );
    if (!endpoint?.secret || !flakyEndpoint?.id) return;

    // ------------------------------------------------------------ writes through the SDK, each read back at once
    const expected = []; // [type, data as the SDK reads it right after the write], in write order
    const rawMembership = async (organizationId, userId) =>
      (await clerk.organizations.getOrganizationMembershipList({ organizationId, userId: [userId] })).data[0]?._raw;
    const rawOrg = async (organizationId) => (await clerk.organizations.getOrganization({ organizationId }))._raw;
    const rawUser = async (userId) => (await clerk.users.getUser(userId))._raw;

    const hookUsers = {};
    for (const key of ['owner', 'member', 'leaver']) {
      hookUsers[key] = await clerk.users.createUser({ emailAddress: [`hooks-${key}@example.com`], firstName: key });
      expected.push(['user.created', await rawUser(hookUsers[key].id)]);
    }
    const { owner, member, leaver } = hookUsers;
    const hookOrg = await clerk.organizations.createOrganization({
      name: 'Hook Co',
      slug: 'hook-co',
      createdBy: owner.id,
    });
    const organizationId = hookOrg.id;
    expected.push(['organization.created', await rawOrg(organizationId)]);
    expected.push(['organizationMembership.created', await rawMembership(organizationId, owner.id)]);
    await clerk.organizations.createOrganizationMembership({
      organizationId,
      userId: member.id,
      role: 'org:member',
      publicMetadata: { team: 'core' },
    });
    expected.push(['organizationMembership.created', await rawMembership(organizationId, member.id)]);
    await clerk.organizations.createOrganizationMembership({ organizationId, userId: leaver.id, role: 'org:member' });
    expected.push(['organizationMembership.created', await rawMembership(organizationId, leaver.id)]);
    await clerk.organizations.updateOrganizationMembership({ organizationId, userId: member.id, role: 'org:admin' });
    expected.push(['organizationMembership.updated', await rawMembership(organizationId, member.id)]);
    await clerk.organizations.updateOrganizationMembershipMetadata({
      organizationId,
      userId: member.id,
      publicMetadata: { since: 2024 },
    });
    expected.push(['organizationMembership.updated', await rawMembership(organizationId, member.id)]);
    await clerk.organizations.updateOrganization(organizationId, { name: 'Hook Company' });
    expected.push(['organization.updated', await rawOrg(organizationId)]);
    const removed = await clerk.organizations.deleteOrganizationMembership({ organizationId, userId: member.id });
    expected.push(['organizationMembership.deleted', removed._raw]);
    // The leaver is still a member: deleting the user appends user.deleted only.
    await clerk.users.deleteUser(leaver.id);
    expected.push(['user.deleted', { object: 'user', id: leaver.id, deleted: true }]);
    await clerk.users.deleteUser(member.id);
    expected.push(['user.deleted', { object: 'user', id: member.id, deleted: true }]);
    await clerk.organizations.deleteOrganization(organizationId);
    expected.push(['organization.deleted', { object: 'organization', id: organizationId, deleted: true }]);

    // ------------------------------------------------------------ the log
    const log =
      (await until(
        'GET /v1/events lists every write',
        async () => {
          const events = await eventsAfter(cursor);
          return events.length >= expected.length && events;
        },
        10_000,
      )) ?? [];
    checkEqual(
      'GET /v1/events after the cursor: one event per write, in write order',
      log.map((e) => e.type),
      expected.map(([t]) => t),
    );
    expected.forEach(([type, data], i) =>
      checkEqual(`GET /v1/events: ${i} ${type} data = the SDK's read right after the write`, log[i]?.data, data),
    );
    const roleChange = log[7];
    checkEqual(
      'GET /v1/events: previous_attributes of the role change hold the old role',
      [
        roleChange?.type,
        roleChange?.previous_attributes?.role,
        roleChange?.previous_attributes?.role_name,
        'previous_attributes' in (log[0] ?? {}),
      ],
      ['organizationMembership.updated', 'org:member', 'Member', false],
    );
    const orgEvents = await eventsAfter(cursor, apiUrl, { organization_id: organizationId });
    checkEqual(
      'GET /v1/events?organization_id=: the organization and membership events of the org',
      orgEvents.map((e) => e.id),
      byKey(log, organizationId),
    );
    const deletes = await eventsAfter(cursor, apiUrl, { types: 'user.deleted,organization.deleted' });
    checkEqual(
      'GET /v1/events?types=user.deleted,organization.deleted',
      deletes.map((e) => e.type),
      ['user.deleted', 'user.deleted', 'organization.deleted'],
    );
    const logIds = log.map((e) => e.id);
    const logById = new Map(log.map((e) => [e.id, e]));

    // ------------------------------------------------------------ deliveries to the endpoint taking every event
    const succeededIds = (r) => new Set(r.deliveries.filter((d) => d.status < 300).map((d) => d.headers['svix-id']));
    await until(
      'every event delivered to the first endpoint',
      () => logIds.every((id) => succeededIds(ok).has(id)),
      30_000,
      () => ({
        expected: logIds,
        received: ok.deliveries.map((d) => d.headers['svix-id']),
      }),
    );
    const got = ok.deliveries.filter((d) => d.headers['svix-id']?.startsWith('evt_'));
    checkEqual(
      'first endpoint: svix-id = the ids GET /v1/events lists, each delivered once',
      [...got.map((d) => d.headers['svix-id'])].sort(),
      logIds,
    );
    const verifiedOk = [];
    for (const d of got) verifiedOk.push(await verifyDelivery(d, endpoint.secret));
    check(
      'first endpoint: verifyWebhook accepts every delivery',
      verifiedOk.every((v) => v.event),
      verifiedOk.filter((v) => v.error),
    );
    checkEqual(
      'first endpoint: POST /hooks, Content-Type application/json, svix-timestamp this second',
      got
        .filter(
          (d) =>
            d.method !== 'POST' ||
            d.path !== '/hooks' ||
            d.headers['content-type'] !== 'application/json' ||
            Math.abs(Number(d.headers['svix-timestamp']) * 1000 - d.receivedAt) > 5000,
        )
        .map((d) => [d.method, d.path, d.headers]),
      [],
    );
    checkEqual(
      'first endpoint: the body is {data, instance_id, object, timestamp, type}',
      [...new Set(got.map((d) => Object.keys(JSON.parse(d.body)).sort().join(',')))],
      ['data,instance_id,object,timestamp,type'],
    );
    checkEqual(
      'first endpoint: verifyWebhook hands back the event GET /v1/events lists',
      got.map((d, i) => wireFields(verifiedOk[i].event)),
      got.map((d) => wireFields(logById.get(d.headers['svix-id']))),
    );
    const dataBySvixId = new Map(got.map((d, i) => [d.headers['svix-id'], verifiedOk[i].event?.data]));
    expected.forEach(([type, data], i) =>
      checkEqual(
        `first endpoint: ${i} ${type}: data = the SDK's read right after the write`,
        dataBySvixId.get(log[i]?.id),
        data,
      ),
    );
    const arrived = got.map((d) => logById.get(d.headers['svix-id'])).filter(Boolean);
    checkEqual(
      "first endpoint: the organization's events arrive in order",
      arrived.filter((e) => orderKey(e) === organizationId).map((e) => e.type),
      [
        'organization.created',
        'organizationMembership.created',
        'organizationMembership.created',
        'organizationMembership.created',
        'organizationMembership.updated',
        'organizationMembership.updated',
        'organization.updated',
        'organizationMembership.deleted',
        'organization.deleted',
      ],
    );
    for (const [key, user] of Object.entries(hookUsers)) {
      checkEqual(`first endpoint: ${key}'s user events arrive in order`, byKey(arrived, user.id), byKey(log, user.id));
    }
    // Tampering: the role raised in the body, the headers kept; and the right body under another secret.
    const sample = got.find((d) => d.body.includes('"role":"org:admin"'));
    const tamperedBody = sample?.body.replace('"role":"org:admin"', '"role":"org:owner"');
    check('tampering: the sample body names the role', sample && tamperedBody !== sample.body, sample?.body);
    checkEqual(
      'tampering: verifyWebhook accepts the original',
      !!(await verifyDelivery(sample, endpoint.secret)).event,
      true,
    );
    const tampered = await verifyDelivery(sample, endpoint.secret, tamperedBody);
    check('tampering: verifyWebhook rejects a changed body', signatureError.test(tampered.error ?? ''), tampered);
    const wrongSecret = await verifyDelivery(sample, `whsec_${randomBytes(24).toString('base64')}`);
    check('tampering: verifyWebhook rejects another secret', signatureError.test(wrongSecret.error ?? ''), wrongSecret);
    const oldTimestamp = await verifyDelivery(
      {
        ...sample,
        headers: { ...sample.headers, 'svix-timestamp': String(Number(sample.headers['svix-timestamp']) - 600) },
      },
      endpoint.secret,
    );
    check(
      'tampering: verifyWebhook rejects a timestamp 10 minutes old',
      /timestamp too old/.test(oldTimestamp.error ?? ''),
      oldTimestamp,
    );

    const attemptsOk = await rosterApi('GET', `/webhook_endpoints/${endpoint.id}/attempts?limit=100`);
    checkEqual(
      'GET /v1/webhook_endpoints/{id}/attempts: one succeeded attempt (200) per event',
      arr(attemptsOk.body?.data)
        .map((a) => [a.event_id, a.event_type, a.attempt, a.status, a.response_status_code])
        .sort(),
      log.map((e) => [e.id, e.type, 1, 'succeeded', 200]),
    );

    // ------------------------------------------------------------ retries: 500 to every first attempt
    const retryWait = /^(\d+)(ms|s)\b/.exec(process.env.ROSTER_WEBHOOK_RETRY_SCHEDULE ?? '');
    const firstWait = retryWait ? Number(retryWait[1]) * (retryWait[2] === 's' ? 1000 : 1) : 5000;
    const flakyIds = log.filter((e) => membershipTypes.includes(e.type)).map((e) => e.id);
    // One order key: each retry waits for the one before it.
    const flakyDeadline = flakyIds.length * (firstWait + 2000) + 10_000;
    await until(
      "the failing endpoint's events delivered on a retry",
      () => flakyIds.every((id) => succeededIds(flaky).has(id)),
      flakyDeadline,
      () => ({
        expected: flakyIds,
        received: flaky.deliveries.map((d) => [d.headers['svix-id'], d.status]),
      }),
    );
    const verifiedFlaky = [];
    for (const d of flaky.deliveries) verifiedFlaky.push(await verifyDelivery(d, flakySecret));
    check(
      'failing endpoint: verifyWebhook accepts every attempt, first and retried (the given secret)',
      verifiedFlaky.length > 0 && verifiedFlaky.every((v) => v.event),
      verifiedFlaky.filter((v) => v.error),
    );
    checkEqual(
      'failing endpoint: only the event types it takes (updated, deleted)',
      [
        [...new Set(flaky.deliveries.map((d) => d.headers['svix-id']))].sort(),
        flakyIds.map((id) => logById.get(id).type),
      ],
      [
        flakyIds,
        ['organizationMembership.updated', 'organizationMembership.updated', 'organizationMembership.deleted'],
      ],
    );
    for (const id of flakyIds) {
      const tries = flaky.deliveries.filter((d) => d.headers['svix-id'] === id);
      const v = tries.map((d) => verifiedFlaky[flaky.deliveries.indexOf(d)]?.event);
      checkEqual(
        `failing endpoint: ${logById.get(id)?.type} ${id}: 500, then a retry (same svix-id and body) that verifies`,
        [
          tries.map((d) => [d.headers['svix-id'], d.status]),
          tries.length === 2 && tries[1].body === tries[0].body,
          tries.length === 2 &&
            Number(tries[1].headers['svix-timestamp']) >= Number(tries[0].headers['svix-timestamp']),
          tries.length === 2 && tries[1].receivedAt - tries[0].receivedAt >= firstWait - 50,
          wireFields(v[1]),
        ],
        [
          [
            [id, 500],
            [id, 200],
          ],
          true,
          true,
          true,
          wireFields(logById.get(id)),
        ],
      );
    }
    checkEqual(
      'failing endpoint: its events succeed in order (a failing one holds back the later ones)',
      flaky.deliveries.filter((d) => d.status === 200).map((d) => d.headers['svix-id']),
      flakyIds,
    );
    const attemptsFlaky = await rosterApi('GET', `/webhook_endpoints/${flakyEndpoint.id}/attempts?limit=100`);
    checkEqual(
      'GET …/attempts of the failing endpoint: attempt 1 failed (500), attempt 2 succeeded (200)',
      arr(attemptsFlaky.body?.data)
        .map((a) => [
          a.event_id,
          a.attempt,
          a.status,
          a.response_status_code,
          a.status === 'failed' ? typeof a.error : a.error,
        ])
        .sort(),
      flakyIds.flatMap((id) => [
        [id, 1, 'failed', 500, 'string'],
        [id, 2, 'succeeded', 200, null],
      ]),
    );

    // ------------------------------------------------------------ a test request; a secret rotation
    const tested = await rosterApi('POST', `/webhook_endpoints/${endpoint.id}/test`);
    checkEqual(
      'POST …/test: the receiver answered 200',
      [tested.status, tested.body?.object, tested.body?.succeeded, tested.body?.response_status_code],
      [200, 'webhook_test', true, 200],
    );
    const testDelivery = ok.deliveries.find((d) => !d.headers['svix-id']?.startsWith('evt_'));
    const testEvent = testDelivery && (await verifyDelivery(testDelivery, endpoint.secret)).event;
    checkEqual(
      'POST …/test: a webhook.test event that verifyWebhook accepts',
      [testEvent?.type, testEvent?.data?.endpoint_id],
      ['webhook.test', endpoint.id],
    );

    const rotated = await rosterApi('POST', `/webhook_endpoints/${endpoint.id}/rotate_secret`);
    const newSecret = rotated.body?.secret;
    check(
      'POST …/rotate_secret: a new whsec_ secret',
      rotated.status === 200 && /^whsec_/.test(newSecret ?? '') && newSecret !== endpoint.secret,
      rotated,
    );
    await clerk.users.updateUser(owner.id, { firstName: 'Owner' });
    const ownerNow = await rawUser(owner.id);
    const [update] =
      (await until(
        'GET /v1/events lists the user.updated',
        async () => {
          const events = await eventsAfter(log.at(-1)?.id, apiUrl, { types: 'user.updated' });
          return events.length > 0 && events;
        },
        10_000,
      )) ?? [];
    const overlap = await until(
      'the update after the rotation delivered',
      () => ok.deliveries.find((d) => d.headers['svix-id'] === update?.id),
      30_000,
    );
    if (overlap) {
      const [withNew, withOld] = [
        await verifyDelivery(overlap, newSecret),
        await verifyDelivery(overlap, endpoint.secret),
      ];
      checkEqual(
        'rotation overlap: two signatures; verifyWebhook accepts the new secret and the old one; data = getUser',
        [
          overlap.headers['svix-signature'].split(' ').length,
          withNew.event?.type,
          withOld.event?.type,
          withNew.event?.data,
        ],
        [2, 'user.updated', 'user.updated', ownerNow],
      );
      checkEqual(
        'user.updated: previous_attributes hold the old first name',
        update?.previous_attributes?.first_name,
        'owner',
      );
    }

    for (const e of [endpoint, flakyEndpoint]) {
      const gone = await rosterApi('DELETE', `/webhook_endpoints/${e.id}`);
      checkEqual(
        `DELETE /v1/webhook_endpoints/${e.id}`,
        [gone.status, gone.body?.deleted, gone.body?.id],
        [200, true, e.id],
      );
    }
    const listed = await rosterApi('GET', '/webhook_endpoints');
    checkEqual(
      'GET /v1/webhook_endpoints after the deletes: none',
      [listed.status, listed.body?.total_count],
      [200, 0],
    );
  } finally {
    await ok.close();
    await flaky.close();
  }
});

// ---------------------------------------------------------------- the README's webhook receiver
{
  // The README shows this very file: its "Receive webhooks" js block is the receiver the checks below run.
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Receive webhooks'));
  const block = section.match(/```js\n([\s\S]*?)```/);
  const file = readFileSync(new URL('./webhook-receiver.mjs', import.meta.url), 'utf8');
  check('the README shows webhook-receiver.mjs verbatim', block !== null && block[1] === file,
    block ? 'the README block differs from compat/node/webhook-receiver.mjs' : 'no js block under "### Receive webhooks"');
}
/** Starts the README's compat/node/webhook-receiver.mjs on port 0: {url, lines (parsed stdout), child, exited}. */
async function startWebhookReceiver(signingSecret) {
  const child = spawn(process.execPath, [new URL('./webhook-receiver.mjs', import.meta.url).pathname], {
    env: { ...process.env, ROSTER_WEBHOOK_SECRET: signingSecret, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  process.on('exit', () => child.exitCode === null && child.signalCode === null && child.kill());
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      lines.push({ unparsed: line });
    }
  });
  let stderr = '';
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address within 30 s; stderr: ${stderr}`)), 30_000);
    child.on('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}); stderr: ${stderr}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      const m = /^receiving webhooks at http:\/\/localhost:(\d+)\/webhooks$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  try {
    return { url: `http://127.0.0.1:${await port}/webhooks`, lines, child, exited, stderr: () => stderr };
  } catch (e) {
    child.kill();
    throw e;
  }
}

await section('webhook receiver (README)', async () => {
  // As the README says: the receiver with the secret, and a roster whose ROSTER_WEBHOOK_URL / ROSTER_WEBHOOK_SECRET
  // point at it (here another roster, started with them).
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startWebhookReceiver(secret);
  let other;
  try {
    other = await startOtherRoster({ ROSTER_WEBHOOK_URL: receiver.url, ROSTER_WEBHOOK_SECRET: secret });
    const listed = await rosterApi('GET', '/webhook_endpoints', undefined, other.url);
    checkEqual(
      'ROSTER_WEBHOOK_URL: roster serve made an endpoint taking every event',
      [
        listed.body?.total_count,
        arr(listed.body?.data).map((e) => [e.url, e.description, e.event_types, e.disabled, 'secret' in e]),
      ],
      [1, [[receiver.url, 'ROSTER_WEBHOOK_URL', [], false, false]]],
    );
    const otherClerk = createClerkClient({ secretKey, apiUrl: other.url });
    const founder = await otherClerk.users.createUser({ emailAddress: ['founder@example.com'] });
    const startup = await otherClerk.organizations.createOrganization({ name: 'Startup', createdBy: founder.id });
    const events = await eventsAfter(undefined, other.url);
    checkEqual(
      'the other roster logged user.created, organization.created, organizationMembership.created',
      events.map((e) => [
        e.type,
        e.data?.id === founder.id || e.data?.id === startup.id || e.data?.organization?.id === startup.id,
      ]),
      [
        ['user.created', true],
        ['organization.created', true],
        ['organizationMembership.created', true],
      ],
    );
    const processed = (e) => ({ id: e.id, type: e.type, object: e.data.object, dataId: e.data.id });
    await until(
      'the receiver processed the three events',
      () => receiver.lines.length >= events.length,
      30_000,
      () => receiver.lines,
    );
    checkEqual(
      'the receiver printed one line per event: its svix-id, type and data',
      [...receiver.lines].sort((a, b) => (a.id < b.id ? -1 : 1)),
      events.map(processed),
    );
    checkEqual(
      "the receiver got the organization's events in order",
      receiver.lines.filter((l) => l.type?.startsWith('organization')).map((l) => l.type),
      ['organization.created', 'organizationMembership.created'],
    );
    const [endpointId] = arr(listed.body?.data).map((e) => e.id);
    const attempts = await until(
      "the receiver's 2xx answers recorded",
      async () => {
        const a = await rosterApi('GET', `/webhook_endpoints/${endpointId}/attempts`, undefined, other.url);
        return arr(a.body?.data).length >= events.length && a.body.data;
      },
      10_000,
    );
    checkEqual(
      'the receiver answered 200 to each delivery',
      arr(attempts)
        .map((a) => [a.event_id, a.attempt, a.status, a.response_status_code])
        .sort(),
      events.map((e) => [e.id, 1, 'succeeded', 200]),
    );

    // Requests signed here with the same secret: a duplicate of a delivered event, forgeries, a new message.
    const post = async (id, body, signature, timestamp = Math.floor(Date.now() / 1000)) => {
      const headers = { 'content-type': 'application/json' };
      if (id) headers['svix-id'] = id;
      if (timestamp) headers['svix-timestamp'] = String(timestamp);
      if (signature !== undefined) headers['svix-signature'] = signature(id, timestamp, body);
      const res = await fetch(receiver.url, { method: 'POST', headers, body });
      return res.status;
    };
    const signed = (s) => (id, ts, body) => signWebhook(s, id, ts, body);
    const first = events[0];
    const firstBody = JSON.stringify({
      data: first.data,
      object: 'event',
      type: first.type,
      timestamp: first.timestamp,
      instance_id: first.instance_id,
    });
    const fresh = (id) =>
      JSON.stringify({
        data: { object: 'user', id: `user_${id}` },
        object: 'event',
        type: 'user.updated',
        timestamp: Date.now(),
        instance_id: first.instance_id,
      });
    const answers = {
      duplicate: await post(first.id, firstBody, signed(secret)),
      otherSecret: await post(
        'msg_compat_forged',
        fresh('forged'),
        signed(`whsec_${randomBytes(24).toString('base64')}`),
      ),
      changedBody: await post('msg_compat_changed', fresh('changed'), (id, ts) =>
        signWebhook(secret, id, ts, fresh('original')),
      ),
      staleTimestamp: await post(
        'msg_compat_stale',
        fresh('stale'),
        signed(secret),
        Math.floor(Date.now() / 1000) - 600,
      ),
      noSignature: await post('msg_compat_unsigned', fresh('unsigned'), undefined),
      newMessage: await post('msg_compat_new', fresh('new'), signed(secret)),
      newMessageAgain: await post('msg_compat_new', fresh('new'), signed(secret)),
      anotherMessage: await post('msg_compat_another', fresh('another'), signed(secret)),
      get: (await fetch(receiver.url)).status,
    };
    checkEqual('the receiver: 200 to duplicates and new messages, 400 to bad signatures, 404 elsewhere', answers, {
      duplicate: 200,
      otherSecret: 400,
      changedBody: 400,
      staleTimestamp: 400,
      noSignature: 400,
      newMessage: 200,
      newMessageAgain: 200,
      anotherMessage: 200,
      get: 404,
    });
    // It answers after processing, and stdout keeps order: once the last message's line is read, any line the
    // duplicates or forgeries printed would have come before it.
    await until(
      'the receiver processed the last message',
      () => receiver.lines.some((l) => l.id === 'msg_compat_another'),
      10_000,
      () => receiver.lines,
    );
    checkEqual(
      'the receiver processed each message once (no duplicates, no forgeries)',
      receiver.lines.slice(events.length).map((l) => l.id),
      ['msg_compat_new', 'msg_compat_another'],
    );

    receiver.child.kill('SIGTERM');
    const [code, signal] = await Promise.race([receiver.exited, sleep(10_000).then(() => ['still running'])]);
    checkEqual('the receiver exits 0 on SIGTERM', [code, signal], [0, null]);
  } finally {
    if (receiver.child.exitCode === null && receiver.child.signalCode === null) receiver.child.kill('SIGKILL');
    await other?.stop();
  }
});

// ---------------------------------------------------------------- authentication (needs no data)
await section('bad key', async () => {
  const wrong = createClerkClient({ secretKey: 'sk_test_not_the_right_key', apiUrl });
  await expectError('bad key: getUser', () => wrong.users.getUser('user_any'), 401, 'clerk_key_invalid');
  await expectError(
    'bad key: membership list',
    () => wrong.organizations.getOrganizationMembershipList({ organizationId: 'org_any' }),
    401,
    'clerk_key_invalid',
  );
});

console.log(`node @clerk/backend ${sdkVersion}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
