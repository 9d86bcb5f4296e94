// GraphQL subscriptions as a frontend uses them: the real graphql-ws client over a websocket to
// the app, Clerk-like RS256 tokens in connection_init, signed webhook deliveries over HTTP, and the
// notices of the database's triggers. Proving that something did NOT arrive uses a later change the
// subscriber may see: a subscription's events keep the order of their commits, so once the later
// one arrived, the earlier one would have arrived before it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { membershipEvent, organizationDeletedEvent, userEvent } from '../../../../support/clerkDeliveries.ts';
import { deliverAsWebhook } from '../../../helpers/clerkEvents.ts';
import { startTestApp, type RunningApp } from '../../../helpers/app.ts';
import { endTestPools, getOwnerPool, withRootDb } from '../../../helpers/db.ts';
import { relayQueuedChanges } from '../../../helpers/notifications.ts';
import { eventually, liveClient, type LiveClient } from '../../../helpers/liveClient.ts';
import { TEST_AZP, makeSigningKey, nowSeconds, signToken, v1Claims } from '../../../helpers/tokens.ts';
import { deliverOverHttp, newSvixId } from '../../../helpers/webhooks.ts';
import { uniqueTag } from '../../../helpers/clerkEvents.ts';

const key = makeSigningKey();
const tag = uniqueTag();
const ORG_A = `${tag}a`;
const ORG_B = `${tag}b`;
/** Keys of users: `user_<key>`; memberships are `orgmem_<key>`. */
const ADMIN_A = `${tag}admin`;
const MEMBER_A = `${tag}member`;
const NOBODY_A = `${tag}nobody`; // a member without org:sys_memberships:read
const MEMBER_B = `${tag}memberb`;

let app: RunningApp;
const clients: LiveClient[] = [];
let clock = Date.UTC(2025, 6, 1);
const nextTime = () => (clock += 1000);

const ADMIN_PERMISSIONS = ['org:admin:view_audit_logs'];

beforeAll(async () => {
  app = await startTestApp({
    CLERK_JWT_KEY: key.publicPem,
    CLERK_AUTHORIZED_PARTIES: TEST_AZP,
    LIVE_MAX_CONNECTIONS_PER_USER: '3',
    LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
    LIVE_MAX_MESSAGE_SIZE: '16kb',
    // A short request budget: a subscription outlives it and must keep receiving.
    GRAPHQL_REQUEST_TIMEOUT_MS: '1500',
  });
  const owner = getOwnerPool();
  await owner.query(`insert into app_public.organizations (id, name) values ($1, 'Acme'), ($2, 'Globex')`, [`org_${ORG_A}`, `org_${ORG_B}`]);
  await owner.query(`insert into app_public.users (id, first_name) select 'user_' || k, k from unnest($1::text[]) k`, [[ADMIN_A, MEMBER_A, NOBODY_A, MEMBER_B]]);
  for (const [user, org, role, permissions] of [
    [ADMIN_A, ORG_A, 'org:admin', ['org:sys_memberships:read', 'org:sys_domains:read', ...ADMIN_PERMISSIONS]],
    [MEMBER_A, ORG_A, 'org:member', ['org:sys_memberships:read']],
    [NOBODY_A, ORG_A, 'org:viewer', []],
    [MEMBER_B, ORG_B, 'org:member', ['org:sys_memberships:read']],
  ] as const) {
    await owner.query(`insert into app_public.organization_memberships (id, organization_id, user_id, role, permissions) values ($1, $2, $3, $4, $5)`, [
      `orgmem_${user}`,
      `org_${org}`,
      `user_${user}`,
      role,
      permissions,
    ]);
  }
  await relayQueuedChanges(owner);
}, 60_000);

// Every test starts with no connection open and no change of an earlier test still to be relayed
// (the app's relay sends within its interval, which a fast machine's next subscription beats).
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose().catch(() => undefined)));
  await eventually(() => app.websockets.stats().connections === 0, 5000, 'every connection to close');
  await relayQueuedChanges(getOwnerPool());
});

afterAll(async () => {
  await app?.close();
  await endTestPools();
});

function tokenFor(userKey: string, orgKey?: string, options: { role?: string; permissions?: string[]; exp?: number } = {}): string {
  const claims = v1Claims({ userId: `user_${userKey}`, orgId: orgKey ? `org_${orgKey}` : undefined, role: options.role ?? 'org:member', permissions: options.permissions ?? [] });
  return signToken(key, options.exp === undefined ? claims : { ...claims, exp: options.exp });
}

function connect(token: string | null, connectionParams?: Record<string, unknown>): LiveClient {
  const client = liveClient(app.url, token, connectionParams);
  clients.push(client);
  return client;
}

/** Waits until the app holds `count` subscriptions, so a change made now reaches them. */
async function subscribed(count: number): Promise<void> {
  await eventually(() => app.websockets.stats().subscriptions >= count, 5000, `${count} subscriptions`);
}

const MEMBERSHIPS = `subscription { organizationChanged(kinds: [MEMBERSHIP]) { operation kind id membership { id role user { id } } } }`;
// A membership's delivery also carries its organization (a version of it): followed here are the two kinds at stake.
const EVERYTHING = `subscription { organizationChanged(kinds: [INVITATION, MEMBERSHIP]) { operation kind id invitation { id emailAddress } membership { id role } } }`;
const AUDIT = `subscription { auditLogAdded { operation id auditLog { entityKind entityId action } } }`;

/** A new member joins (or an existing one changes) in `orgKey`, delivered over HTTP and answered 200. */
async function membershipChange(memberKey: string, orgKey: string, type: 'organizationMembership.created' | 'organizationMembership.updated' | 'organizationMembership.deleted' = 'organizationMembership.created', svixId = newSvixId()) {
  const event = membershipEvent(type, { key: memberKey, userKey: memberKey, organizationKey: orgKey, updatedAt: nextTime(), role: type === 'organizationMembership.created' ? 'org:driver' : 'org:dispatcher' });
  const response = await deliverOverHttp(app.url, event, { svixId });
  expect(response).toMatchObject({ status: 200 });
  return { response, at: Date.now(), membershipId: `orgmem_${memberKey}`, event };
}

let joiner = 0;
const newMemberKey = () => `${tag}j${joiner++}`;

describe('subscriptions over websockets', () => {
  it("deliver an organization's change to its member within a second, and to nobody of another organization", async () => {
    const memberA = connect(tokenFor(MEMBER_A, ORG_A)).subscribe(MEMBERSHIPS);
    const memberB = connect(tokenFor(MEMBER_B, ORG_B)).subscribe(MEMBERSHIPS);
    await subscribed(2);

    // The first event also plans the subscription's query and opens connections: not the figure.
    await membershipChange(newMemberKey(), ORG_A);
    await memberA.waitFor(1, 10_000);
    memberA.events.length = 0;

    const joinA = await membershipChange(newMemberKey(), ORG_A);
    const [event] = await memberA.waitFor(1, 1000);
    expect(Date.now() - joinA.at).toBeLessThan(1000);
    expect(event).toEqual({
      data: {
        organizationChanged: {
          operation: 'INSERT',
          kind: 'MEMBERSHIP',
          id: joinA.membershipId,
          membership: { id: joinA.membershipId, role: 'org:driver', user: { id: joinA.membershipId.replace('orgmem_', 'user_') } },
        },
      },
    });

    const joinB = await membershipChange(newMemberKey(), ORG_B);
    const [eventB] = await memberB.waitFor(1);
    expect(eventB.data.organizationChanged.id).toBe(joinB.membershipId);
    expect(memberB.events).toHaveLength(1);
    expect(memberA.events).toHaveLength(1);
    memberA.unsubscribe();
    memberB.unsubscribe();
    await eventually(() => app.websockets.stats().subscriptions === 0, 5000, 'no subscriptions');
  });

  it('show invitations and audit entries only to holders of the permission', async () => {
    const admin = connect(tokenFor(ADMIN_A, ORG_A, { role: 'org:admin', permissions: ADMIN_PERMISSIONS }));
    const nobody = connect(tokenFor(NOBODY_A, ORG_A, { role: 'org:viewer' }));
    const member = connect(tokenFor(MEMBER_A, ORG_A));
    const adminChanges = admin.subscribe(EVERYTHING);
    const adminAudit = admin.subscribe(AUDIT);
    const nobodyChanges = nobody.subscribe(EVERYTHING);
    const memberChanges = member.subscribe(EVERYTHING);
    const memberAudit = member.subscribe(AUDIT);
    await subscribed(5);

    const invitationId = `orginv_${tag}`;
    const invitation = {
      type: 'organizationInvitation.created',
      object: 'event',
      timestamp: nextTime(),
      data: { id: invitationId, object: 'organization_invitation', organization_id: `org_${ORG_A}`, email_address: 'new.driver@acme.test', role: 'org:driver', status: 'pending', created_at: clock, updated_at: clock },
    };
    expect(await deliverOverHttp(app.url, invitation)).toMatchObject({ status: 200, body: { status: 'processed' } });
    // Then a change everyone in the organization sees.
    const join = await membershipChange(newMemberKey(), ORG_A);

    const [first, second] = await adminChanges.waitFor(2);
    expect(first.data.organizationChanged).toEqual({ operation: 'INSERT', kind: 'INVITATION', id: invitationId, invitation: { id: invitationId, emailAddress: 'new.driver@acme.test' }, membership: null });
    expect(second.data.organizationChanged).toMatchObject({ kind: 'MEMBERSHIP', id: join.membershipId });
    // Members hold org:sys_memberships:read through their membership; a member without it sees the join only.
    expect((await memberChanges.waitFor(2)).map((e) => e.data.organizationChanged.kind)).toEqual(['INVITATION', 'MEMBERSHIP']);
    const [seenByNobody] = await nobodyChanges.waitFor(1);
    expect(seenByNobody.data.organizationChanged).toMatchObject({ kind: 'MEMBERSHIP', id: join.membershipId });

    // The join's delivery also completes its organization (an audit entry of its own).
    await eventually(() => adminAudit.events.some((e) => e.data.auditLogAdded.auditLog?.entityId === join.membershipId), 5000, "the join's audit entry");
    const audit = adminAudit.events;
    expect(audit.map((e) => e.data.auditLogAdded.auditLog)).toEqual(
      expect.arrayContaining([
        { entityKind: 'organization_invitations', entityId: invitationId, action: 'created' },
        { entityKind: 'organization_memberships', entityId: join.membershipId, action: 'created' },
      ]),
    );
    // Same connection, same notices: by now the member's audit stream has judged them too.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(memberAudit.events).toEqual([]);
    expect(nobodyChanges.events).toHaveLength(1);
  });

  it('say nothing of a rolled-back, failed or duplicate delivery', async () => {
    const member = connect(tokenFor(MEMBER_A, ORG_A)).subscribe(MEMBERSHIPS);
    await subscribed(1);

    // Rolled back after it applied.
    await withRootDb(async (client) => {
      const event = membershipEvent('organizationMembership.created', { key: newMemberKey(), userKey: `${tag}rb`, organizationKey: ORG_A, updatedAt: nextTime() });
      expect(await deliverAsWebhook(client, event, newSvixId())).toMatchObject({ status: 'processed' });
    });
    // Failed: the organization exists, the user id is missing.
    const broken = { type: 'organizationMembership.created', data: { id: `orgmem_${tag}broken`, organization: { id: `org_${ORG_A}` } } };
    expect(await deliverOverHttp(app.url, broken)).toMatchObject({ status: 200, body: { status: 'failed' } });
    // Applied once, then retried with the same svix-id.
    const svixId = newSvixId();
    const once = await membershipChange(newMemberKey(), ORG_A, 'organizationMembership.created', svixId);
    expect((await deliverOverHttp(app.url, once.event, { svixId })).body).toMatchObject({ status: 'duplicate' });
    const after = await membershipChange(newMemberKey(), ORG_A);

    const events = await member.waitFor(2);
    expect(events.map((e) => e.data.organizationChanged.id)).toEqual([once.membershipId, after.membershipId]);
    expect(member.events).toHaveLength(2);
    member.unsubscribe();
  });

  it('keep delivering complete events long after the request budget', async () => {
    const member = connect(tokenFor(MEMBER_A, ORG_A)).subscribe(MEMBERSHIPS);
    await subscribed(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const join = await membershipChange(newMemberKey(), ORG_A);
    const [event] = await member.waitFor(1);
    expect(event.errors).toBeUndefined();
    expect(event.data.organizationChanged.membership).toMatchObject({ id: join.membershipId, role: 'org:driver' });
  });

  it("tell users about their own row and nobody else's", async () => {
    const own = connect(tokenFor(MEMBER_B)).subscribe(`subscription { currentUserChanged { operation kind id user { id firstName } } }`);
    await subscribed(1);
    const update = (userKey: string, firstName: string) => deliverOverHttp(app.url, userEvent('user.updated', { key: userKey, updatedAt: nextTime(), firstName }));
    expect((await update(MEMBER_A, 'Someone')).body).toMatchObject({ status: 'processed' });
    expect((await update(MEMBER_B, 'Me')).body).toMatchObject({ status: 'processed' });
    const [event] = await own.waitFor(1);
    expect(event.data.currentUserChanged).toEqual({ operation: 'UPDATE', kind: 'USER', id: `user_${MEMBER_B}`, user: { id: `user_${MEMBER_B}`, firstName: 'Me' } });
    expect(own.events).toHaveLength(1);
    own.unsubscribe();
  });
});

describe('who may connect', () => {
  it('refuses a bad token, a malformed header and an anonymous connection with 4401', async () => {
    const forged = tokenFor(MEMBER_A, ORG_A).replace(/.{6}$/, 'AAAAAA');
    const expired = tokenFor(MEMBER_A, ORG_A, { exp: nowSeconds() - 120 });
    const cases: Array<[LiveClient, RegExp]> = [
      [connect(forged), /^session token rejected: /],
      [connect(expired), /^session token rejected: token-expired/],
      [connect(null, { Authorization: 'Token abc' }), /^session token rejected: malformed-authorization-header/],
      [connect(null), /^a session token is required/],
      [connect(null, { authorization: 'Bearer not.a.jwt' }), /^session token rejected: /],
    ];
    for (const [client, reason] of cases) {
      const closed = await client.closed;
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(reason);
    }
    expect(app.websockets.stats().connections).toBe(0);
  });

  it('accepts the token under `authorization` or in `headers`, like an HTTP header', async () => {
    for (const params of [{ authorization: `Bearer ${tokenFor(MEMBER_A, ORG_A)}` }, { headers: { Authorization: `Bearer ${tokenFor(MEMBER_A, ORG_A)}` } }]) {
      const client = connect(null, params);
      await client.connected;
      await client.dispose();
    }
  });

  it('closes the connection with 4401 when the token expires', async () => {
    const client = connect(tokenFor(MEMBER_A, ORG_A, { exp: nowSeconds() + 2 }));
    const subscription = client.subscribe(MEMBERSHIPS);
    await client.connected;
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4401, reason: 'session token expired: reconnect with a fresh one' });
    await subscription.ended();
    expect(subscription.errors).toHaveLength(1);
  }, 10_000);

  it('ends the subscriptions of a member who is removed, and refuses their token from then on', async () => {
    const leaverKey = newMemberKey();
    await membershipChange(leaverKey, ORG_A);
    // The app's relay sends the join within its interval; sent now, it cannot reach the subscriptions opened next.
    await relayQueuedChanges(getOwnerPool());
    const token = tokenFor(leaverKey, ORG_A);
    const leaver = connect(token);
    const subscription = leaver.subscribe(MEMBERSHIPS);
    const stayer = connect(tokenFor(MEMBER_A, ORG_A)).subscribe(MEMBERSHIPS);
    await subscribed(2);

    await membershipChange(leaverKey, ORG_A, 'organizationMembership.deleted');
    expect(await leaver.closed).toEqual({ code: 4403, reason: 'access to the organization has ended' });
    const later = await membershipChange(newMemberKey(), ORG_A);
    expect((await stayer.waitFor(2)).map((e) => [e.data.organizationChanged.operation, e.data.organizationChanged.id])).toEqual([
      ['DELETE', `orgmem_${leaverKey}`],
      ['INSERT', later.membershipId],
    ]);
    await subscription.ended();
    expect(subscription.events.map((e) => e.data.organizationChanged.id)).not.toContain(later.membershipId);
    // The token is still valid for a minute, but names an organization its holder left.
    expect((await connect(token).closed)).toEqual({ code: 4403, reason: 'access to the organization has ended' });
    stayer.unsubscribe();
  });

  it('ends every subscription of an organization when it is deleted', async () => {
    const orgKey = `${tag}doomed`;
    const founder = `${tag}founder`;
    await membershipChange(founder, orgKey);
    const client = connect(tokenFor(founder, orgKey));
    client.subscribe(MEMBERSHIPS);
    await subscribed(1);
    expect((await deliverOverHttp(app.url, organizationDeletedEvent(orgKey, nextTime()))).body).toMatchObject({ status: 'processed' });
    expect(await client.closed).toEqual({ code: 4403, reason: 'access to the organization has ended' });
  });
});

describe('bounds', () => {
  it('caps connections per user (4429) and operations per connection', async () => {
    const user = `${tag}busy`;
    const three = [connect(tokenFor(user)), connect(tokenFor(user)), connect(tokenFor(user))];
    await Promise.all(three.map((client) => client.connected));
    expect(await connect(tokenFor(user)).closed).toEqual({ code: 4429, reason: 'too many connections: at most 3 per user' });

    const query = `subscription { currentUserChanged { id } }`;
    const subscriptions = [1, 2, 3, 4].map(() => three[0].subscribe(query));
    await subscriptions[3].ended();
    expect(subscriptions[3].errors[0]).toEqual([expect.objectContaining({ message: 'Too many operations on this connection: at most 3 at once.', extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })]);
    expect(subscriptions.slice(0, 3).every((s) => s.errors.length === 0 && !s.completed)).toBe(true);
    // The others keep their subscriptions; a closed connection frees its place.
    await three[2].dispose();
    const again = connect(tokenFor(user));
    await again.connected;
    for (const client of [...three, again]) await client.dispose();
  });

  it('closes a connection that sends a message over the size limit (1009), and only that one', async () => {
    const bystander = connect(tokenFor(MEMBER_B, ORG_B));
    await bystander.connected;
    const client = connect(tokenFor(MEMBER_A, ORG_A));
    await client.connected;
    const subscription = client.subscribe(`subscription { currentUserChanged { id } } # ${'x'.repeat(20_000)}`);
    expect((await client.closed).code).toBe(1009);
    await subscription.ended();
    const still = bystander.subscribe(`subscription { currentUserChanged { id } }`);
    await subscribed(1);
    expect(still.errors).toEqual([]);
    await bystander.dispose();
  });

  it('refuses an organization subscription from a token without an active organization', async () => {
    const subscription = connect(tokenFor(MEMBER_B)).subscribe(MEMBERSHIPS);
    await subscription.ended();
    expect(subscription.events).toEqual([
      { errors: [expect.objectContaining({ message: 'The session token has no active organization: there is no organization to follow.', extensions: { code: 'NO_ACTIVE_ORGANIZATION' } })] },
    ]);
    expect(subscription.completed).toBe(true);
  });

  it('refuses a subscription over HTTP, where there is no connection to keep', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(MEMBER_A, ORG_A)}` },
      body: JSON.stringify({ query: MEMBERSHIPS }),
    });
    const body = await response.json();
    expect(JSON.stringify(body)).toMatch(/error/i);
    expect(body.data?.organizationChanged ?? null).toBeNull();
  });
});
