// Property (two oracles: in-order application, and an independent model of the rules in
// test/helpers/syncModel.ts): whatever the order, duplication, re-sending and replaying of a set of Clerk events
// (every family the sync models: users, organizations, memberships, invitations, domains, roles and
// permissions, sessions, billing), the synced state equals the state after applying each event once
// in time order, and nothing deleted comes back. Each run calls handle_clerk_event directly as clerk_webhook inside one
// rolled-back transaction (HTTP is covered by the route tests).
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type pg from 'pg';
import { endTestPools, withRootDb } from '../../helpers/db.ts';
import { syncedState, uniqueTag } from '../../helpers/clerkEvents.ts';
import { modelState, observedState } from '../../helpers/syncModel.ts';

afterAll(endTestPools);

// Each run replays a few dozen events across all families (about 0.18 s); 1,000 runs is what CI must
// pass. PROPERTY_RUNS=5000 searches deeper.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const BASE = Date.UTC(2025, 5, 1);
const TAG = uniqueTag();
const ORGS = [`org_prop1_${TAG}`, `org_prop2_${TAG}`];
const USERS = [`user_prop1_${TAG}`, `user_prop2_${TAG}`];
const ROLES = [`role_prop1_${TAG}`, `role_prop2_${TAG}`];
const PERMISSIONS = [`perm_prop1_${TAG}`, `perm_prop2_${TAG}`];
const SUBSCRIPTION = `csub_prop_${TAG}`;
const ITEMS = [`csub_item_prop1_${TAG}`, `csub_item_prop2_${TAG}`];
// Billing objects carry their payer; one organization pays for everything here.
const PAYER = { id: `cpayer_prop_${TAG}`, object: 'commerce_payer', organization_id: ORGS[0], user_id: '' };

interface ClerkPayload {
  type: string;
  object: 'event';
  data: Record<string, unknown>;
  timestamp?: number;
}

/** One event of the history: its payload, svix-id and when it takes effect (for the in-order oracle). */
interface HistoryEvent {
  svixId: string;
  payload: ClerkPayload;
  effectiveAt: number;
  deletes: string | null;
}

// --- arbitraries -------------------------------------------------------------------------------

/** Distinct, increasing event times of one object (ms), and an optional later deletion. */
const lifetime = fc
  .record({
    steps: fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 3 }),
    deleteAfter: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  })
  .map(({ steps, deleteAfter }) => {
    const times = steps.sort((a, b) => a - b).map((step) => BASE + step * 1000);
    return { times, deletedAt: deleteAfter === null ? null : times.at(-1)! + deleteAfter * 1000 + 3 };
  });

const metadata = fc.dictionary(fc.constantFrom('a', 'b', 'role', 'onboardingComplete'), fc.oneof(fc.boolean(), fc.constantFrom('admin', 'driver', 'true')), { maxKeys: 2 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const userVersion = fc.record({
  first_name: maybe(fc.constantFrom('Ana', 'Ben', 'Chloé')),
  last_name: maybe(fc.constantFrom('Diaz', 'Evans')),
  username: maybe(fc.constantFrom('ana', 'ben')),
  primary: fc.constantFrom('idn_a', 'idn_b', null),
  public_metadata: metadata,
  private_metadata: metadata,
  banned: fc.boolean(),
});
const orgVersion = fc.record({
  name: fc.constantFrom('Fleet A', 'Fleet B', 'Fleet C'),
  slug: maybe(fc.constantFrom('fleet-a', 'fleet-b')),
  max_allowed_memberships: fc.integer({ min: 0, max: 20 }),
  public_metadata: metadata,
  private_metadata: metadata,
});
const membershipVersion = fc.record({
  role: fc.constantFrom('org:admin', 'org:member', 'org:driver', 'admin', 'basic_member'),
  permissions: fc.subarray(['org:sys_memberships:read', 'org:driver:log_hos', 'org:admin:view_audit_logs']),
  public_metadata: metadata,
});

const invitationVersion = fc.record({
  // The first version is pending (organizationInvitation.created); later ones accepted or revoked.
  status: fc.constantFrom('accepted', 'revoked'),
  role: fc.constantFrom('org:admin', 'org:driver', 'basic_member'),
  acceptedBy: fc.nat({ max: USERS.length - 1 }),
  public_metadata: metadata,
  private_metadata: metadata,
});
const domainVersion = fc.record({
  name: fc.constantFrom('fleet-a.test', 'fleet-b.test'),
  enrollment_mode: fc.constantFrom('manual_invitation', 'automatic_invitation', 'automatic_suggestion'),
  verification: maybe(fc.constantFrom('unverified', 'verified')),
  total_pending_invitations: fc.nat({ max: 5 }),
});
const permissionVersion = fc.record({
  name: fc.constantFrom('Read loads', 'Edit loads'),
  description: maybe(fc.constantFrom('Loads', 'All loads')),
  type: fc.constantFrom('user', 'system'),
});
const roleVersion = fc.record({
  name: fc.constantFrom('Dispatcher', 'Driver'),
  description: maybe(fc.constantFrom('Plans loads', 'Drives')),
  is_creator_eligible: fc.boolean(),
  permissions: fc.subarray([0, 1]),
});
const sessionVersion = fc.record({
  // The first version is active (session.created); later ones end it one way or another.
  status: fc.constantFrom('ended', 'removed', 'revoked', 'pending'),
  org: maybe(fc.nat({ max: ORGS.length - 1 })),
});
const subscriptionVersion = fc.record({ status: fc.constantFrom('active', 'past_due') });
const itemVersion = fc.record({
  status: fc.constantFrom('active', 'past_due', 'canceled', 'ended', 'upcoming'),
  plan: fc.constantFrom('free_org', 'fleet-pro'),
  is_free_trial: fc.boolean(),
  seats: maybe(fc.integer({ min: 1, max: 30 })),
});

const objectHistory = <V>(version: fc.Arbitrary<V>, life: fc.Arbitrary<{ times: number[]; deletedAt: number | null }> = lifetime) =>
  life.chain(({ times, deletedAt }) =>
    fc.array(version, { minLength: times.length, maxLength: times.length }).map((versions) => ({ times, deletedAt, versions })),
  );
/** Sessions, invitations and billing objects end by status: Clerk sends no deletion for them. */
const undeleted = lifetime.map(({ times }) => ({ times, deletedAt: null }));
const optional = <T>(arb: fc.Arbitrary<T>, n: number) => fc.array(fc.option(arb, { nil: null }), { minLength: n, maxLength: n });

const history = fc.record({
  users: fc.array(fc.option(objectHistory(userVersion), { nil: null }), { minLength: USERS.length, maxLength: USERS.length }),
  orgs: fc.array(fc.option(objectHistory(orgVersion), { nil: null }), { minLength: ORGS.length, maxLength: ORGS.length }),
  memberships: fc.array(
    fc.record({ org: fc.nat({ max: ORGS.length - 1 }), user: fc.nat({ max: USERS.length - 1 }), life: objectHistory(membershipVersion) }),
    { maxLength: 3 },
  ),
  invitations: fc.array(fc.record({ org: fc.nat({ max: ORGS.length - 1 }), life: objectHistory(invitationVersion, undeleted) }), { maxLength: 1 }),
  domains: fc.array(fc.record({ org: fc.nat({ max: ORGS.length - 1 }), life: objectHistory(domainVersion) }), { maxLength: 1 }),
  permissions: optional(objectHistory(permissionVersion), PERMISSIONS.length),
  roles: optional(objectHistory(roleVersion), ROLES.length),
  sessions: fc.array(fc.record({ user: fc.nat({ max: USERS.length - 1 }), life: objectHistory(sessionVersion, undeleted) }), { maxLength: 1 }),
  subscription: fc.option(objectHistory(subscriptionVersion, undeleted), { nil: null }),
  items: optional(objectHistory(itemVersion, undeleted), ITEMS.length),
  envelopeTimestamps: fc.boolean(),
});

// --- events ------------------------------------------------------------------------------------

let svixCounter = 0;
function event(type: string, data: Record<string, unknown>, effectiveAt: number, timestamp: number | undefined, deletes: string | null): HistoryEvent {
  svixCounter += 1;
  const payload: ClerkPayload = { type, object: 'event', data };
  if (timestamp !== undefined) payload.timestamp = timestamp;
  return { svixId: `msg_prop_${TAG}_${svixCounter}`, payload, effectiveAt, deletes };
}

function eventsOf(sample: fc.Arbitrary<any> extends fc.Arbitrary<infer T> ? T : never): HistoryEvent[];
function eventsOf(sample: any): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const stamp = (at: number) => (sample.envelopeTimestamps ? at + 5 : undefined);
  /** The full object as of version `index` of its history. */
  const versionOf = (id: string, life: any, index: number, dataOf: (version: any, at: number, index: number) => Record<string, unknown>) => ({
    id,
    ...dataOf(life.versions[index], life.times[index], index),
    created_at: life.times[0],
    updated_at: life.times[index],
  });
  /** The object as Clerk embeds it in another object's event at `at`: its latest version by then, unless deleted by then. */
  const embeddedAt = (id: string, life: any, at: number, dataOf: (version: any, at: number, index: number) => Record<string, unknown>) => {
    const index = life ? life.times.findLastIndex((time: number) => time <= at) : -1;
    return index < 0 || (life.deletedAt !== null && life.deletedAt <= at) ? null : versionOf(id, life, index, dataOf);
  };
  const lifecycle = (
    family: string,
    id: string,
    life: any,
    dataOf: (version: any, at: number, index: number) => Record<string, unknown>,
    tombstone: (last: Record<string, unknown>) => Record<string, unknown>,
    typeOf: (data: Record<string, unknown>, index: number) => string = (_data, index) => (index === 0 ? 'created' : 'updated'),
  ) => {
    let last: Record<string, unknown> = {};
    life.times.forEach((at: number, index: number) => {
      last = versionOf(id, life, index, dataOf);
      events.push(event(`${family}.${typeOf(last, index)}`, last, at, stamp(at), null));
    });
    if (life.deletedAt !== null) events.push(event(`${family}.deleted`, tombstone(last), life.deletedAt, life.deletedAt, id));
  };

  const userData = (version: any, at: number) => ({
      object: 'user',
      first_name: version.first_name,
      last_name: version.last_name,
      username: version.username,
      image_url: `https://img.example/${version.first_name}`,
      email_addresses: [{ id: 'idn_a', email_address: `a${at}@example.com` }, { id: 'idn_b', email_address: `b${at}@example.com` }],
      primary_email_address_id: version.primary,
      public_metadata: version.public_metadata,
      private_metadata: version.private_metadata,
      banned: version.banned,
      last_sign_in_at: at - 500,
  });
  const orgData = (version: any) => ({ object: 'organization', ...version, created_by: USERS[0] });
  sample.users.forEach((life: any, index: number) => {
    if (!life) return;
    lifecycle('user', USERS[index], life, userData, () => ({ object: 'user', id: USERS[index], deleted: true }));
  });
  sample.orgs.forEach((life: any, index: number) => {
    if (!life) return;
    lifecycle('organization', ORGS[index], life, orgData, () => ({
      object: 'organization', id: ORGS[index], deleted: true,
    }));
  });
  sample.memberships.forEach((membership: any, index: number) => {
    const id = `orgmem_prop${index}_${TAG}`;
    lifecycle('organizationMembership', id, membership.life, (version, at) => ({
      object: 'organization_membership',
      ...version,
      role_name: version.role.replace(/^org:/, ''),
      // Clerk embeds the organization as it is then (a version of its own), else a bare snapshot.
      organization: embeddedAt(ORGS[membership.org], sample.orgs[membership.org], at, orgData) ?? { id: ORGS[membership.org], name: 'embedded snapshot' },
      // An unversioned snapshot; the same for every membership of the user, as Clerk's would be.
      public_user_data: { user_id: USERS[membership.user], first_name: `Member${membership.user}`, identifier: `someone${membership.user}@example.com` },
    }), (last) => last);
  });

  sample.invitations.forEach((invitation: any, index: number) => {
    lifecycle('organizationInvitation', `orginv_prop${index}_${TAG}`, invitation.life, (version, _at, versionIndex) => {
      const status = versionIndex === 0 ? 'pending' : version.status;
      return {
        object: 'organization_invitation',
        email_address: `invitee${index}@example.com`,
        role: version.role,
        organization_id: ORGS[invitation.org],
        status,
        ...(status === 'accepted' ? { user_id: USERS[version.acceptedBy] } : {}),
        public_metadata: version.public_metadata,
        private_metadata: version.private_metadata,
        expires_at: BASE + 30 * 86_400_000,
      };
    }, (last) => last, (data, versionIndex) => (versionIndex === 0 ? 'created' : String(data.status)));
  });
  sample.domains.forEach((domain: any, index: number) => {
    const id = `orgdmn_prop${index}_${TAG}`;
    lifecycle('organizationDomain', id, domain.life, (version) => ({
      object: 'organization_domain',
      organization_id: ORGS[domain.org],
      name: version.name,
      enrollment_mode: version.enrollment_mode,
      affiliation_verification: version.verification && { status: version.verification, strategy: 'email_code' },
      total_pending_invitations: version.total_pending_invitations,
      total_pending_suggestions: 0,
    }), () => ({ object: 'organization_domain', id, deleted: true }));
  });
  const permissionData = (index: number) => (version: any) => ({ object: 'permission', key: `org:prop:p${index}`, ...version });
  sample.permissions.forEach((life: any, index: number) => {
    if (!life) return;
    lifecycle('permission', PERMISSIONS[index], life, permissionData(index), () => ({ object: 'permission', id: PERMISSIONS[index], deleted: true }));
  });
  sample.roles.forEach((life: any, index: number) => {
    if (!life) return;
    lifecycle('role', ROLES[index], life, (version, at) => ({
      object: 'role',
      key: `org:prop_role${index}`,
      name: version.name,
      description: version.description,
      is_creator_eligible: version.is_creator_eligible,
      // Clerk lists the permissions that exist when the role changes, each in full.
      permissions: version.permissions
        .map((p: number) => embeddedAt(PERMISSIONS[p], sample.permissions[p], at, permissionData(p)))
        .filter(Boolean),
    }), () => ({ object: 'role', id: ROLES[index], deleted: true }));
  });
  sample.sessions.forEach((session: any, index: number) => {
    lifecycle('session', `sess_prop${index}_${TAG}`, session.life, (version, at, versionIndex) => ({
      object: 'session',
      user_id: USERS[session.user],
      // Newer payloads embed the user as it is then: a version of its own.
      ...(embeddedAt(USERS[session.user], sample.users[session.user], at, userData) && { user: embeddedAt(USERS[session.user], sample.users[session.user], at, userData) }),
      client_id: `client_prop${index}`,
      status: versionIndex === 0 ? 'active' : version.status,
      last_active_organization_id: version.org === null ? null : ORGS[version.org],
      last_active_at: at - 100,
      expire_at: at + 7 * 86_400_000,
      abandon_at: at + 30 * 86_400_000,
    }), (last) => last, (data, versionIndex) => (versionIndex === 0 ? 'created' : String(data.status)));
  });
  const BILLING_TYPES: Record<string, string> = { active: 'active', past_due: 'pastDue', canceled: 'canceled', ended: 'ended', upcoming: 'updated' };
  const itemData = (version: any) => ({
    object: 'commerce_subscription_item',
    status: version.status,
    is_free_trial: version.is_free_trial,
    plan: { id: `cplan_${version.plan}`, slug: version.plan, name: version.plan },
    plan_period: 'month',
    amount: { amount: version.plan === 'free_org' ? 0 : 4900, currency: 'USD' },
    seats: version.seats === null ? undefined : { quantity: version.seats },
    payer: PAYER,
    subscription_id: SUBSCRIPTION,
  });
  sample.items.forEach((life: any, index: number) => {
    if (!life) return;
    lifecycle('subscriptionItem', ITEMS[index], life, itemData, (last) => last, (data, versionIndex) => (versionIndex === 0 ? 'created' : BILLING_TYPES[String(data.status)]));
  });
  if (sample.subscription) {
    lifecycle('subscription', SUBSCRIPTION, sample.subscription, (version, at) => ({
      object: 'commerce_subscription',
      status: version.status,
      past_due_at: version.status === 'past_due' ? at - 100 : null,
      payer_id: PAYER.id,
      payer: PAYER,
      // Embedded items leave out their payer and subscription (the subscription's stand in).
      items: ITEMS.map((id, index) => embeddedAt(id, sample.items[index], at, itemData))
        .filter(Boolean)
        .map((item) => ({ ...item, payer: null, subscription_id: null })),
    }), (last) => last, (data, versionIndex) => (versionIndex === 0 ? 'created' : BILLING_TYPES[String(data.status)]));
  }
  return events;
}

/** Deliveries: every event at least once, some again with the same svix-id, some re-sent under a new one, shuffled; some replays. */
type Delivery = { kind: 'deliver'; svixId: string; payload: ClerkPayload } | { kind: 'replay'; svixId: string };

const scenario = history.chain((sample) => {
  const events = eventsOf(sample);
  return fc
    .record({
      duplicates: fc.subarray(events),
      resent: fc.subarray(events, { maxLength: Math.min(3, events.length) }),
      replays: fc.subarray(events, { maxLength: Math.min(3, events.length) }),
    })
    .chain(({ duplicates, resent, replays }) => {
      const deliveries: Delivery[] = [
        ...events.map((e) => ({ kind: 'deliver' as const, svixId: e.svixId, payload: e.payload })),
        ...duplicates.map((e) => ({ kind: 'deliver' as const, svixId: e.svixId, payload: e.payload })),
        ...resent.map((e) => ({ kind: 'deliver' as const, svixId: `${e.svixId}_resent`, payload: e.payload })),
        ...replays.map((e) => ({ kind: 'replay' as const, svixId: e.svixId })),
      ];
      return fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }).map((order) => ({ events, order }));
    });
});

// --- running -----------------------------------------------------------------------------------

/** Delivers a batch in one round trip, in order, as clerk_webhook; each call is its own function invocation. */
async function handleAll(client: pg.ClientBase, deliveries: Array<{ svixId: string; payload: ClerkPayload }>): Promise<string[]> {
  if (!deliveries.length) return [];
  await client.query('set local role clerk_webhook');
  const { rows } = await client.query(
    `select array_agg(app_private.handle_clerk_event(d.payload, d.svix_id) ->> 'status' order by d.n) as statuses
       from unnest($1::jsonb[], $2::text[]) with ordinality as d(payload, svix_id, n)`,
    [deliveries.map((delivery) => JSON.stringify(delivery.payload)), deliveries.map((delivery) => delivery.svixId)],
  );
  await client.query('reset role');
  return rows[0].statuses;
}

async function inOrderState(client: pg.ClientBase, events: HistoryEvent[]) {
  const ordered = events.map((e, index) => ({ e, index })).sort((a, b) => a.e.effectiveAt - b.e.effectiveAt || a.index - b.index);
  const statuses = await handleAll(client, ordered.map(({ e }) => e));
  expect(statuses).not.toContain('failed');
  return syncedState(client, TAG);
}

async function shuffledState(client: pg.ClientBase, order: Delivery[]) {
  const seen = new Set<string>();
  let batch: Array<{ svixId: string; payload: ClerkPayload; expected: unknown }> = [];
  const flush = async () => {
    const statuses = await handleAll(client, batch);
    expect(statuses).toEqual(batch.map((delivery) => delivery.expected));
    batch = [];
  };
  for (const delivery of order) {
    if (delivery.kind === 'replay') {
      if (!seen.has(delivery.svixId)) continue;
      await flush();
      const { rows } = await client.query('select app_private.replay_webhook_event($1) ->> $2 as status', [delivery.svixId, 'status']);
      expect(rows[0].status).toBe('duplicate');
      continue;
    }
    batch.push({ ...delivery, expected: seen.has(delivery.svixId) ? 'duplicate' : expect.stringMatching(/^(processed|stale)$/) });
    seen.add(delivery.svixId);
  }
  await flush();
  return syncedState(client, TAG);
}

/**
 * Nothing deleted comes back: every deleted object, every membership of a deleted user or
 * organization, every invitation and domain of a deleted organization is deleted; links join only
 * live roles to live permissions they list, and all of those.
 */
function expectNoResurrection(state: Record<string, any[]>, events: HistoryEvent[]) {
  const deleted = new Set(events.map((e) => e.deletes).filter(Boolean));
  const rows = [state.users, state.organizations, state.organization_memberships, state.organization_domains, state.roles, state.permissions].flat();
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const id of deleted) expect(byId.get(id)?.deleted_at).toEqual(expect.any(String));
  for (const membership of state.organization_memberships) {
    if (deleted.has(membership.organization_id) || deleted.has(membership.user_id)) expect(membership.deleted_at).toEqual(expect.any(String));
  }
  for (const child of [...state.organization_invitations, ...state.organization_domains]) {
    if (deleted.has(child.organization_id)) expect(child.deleted_at).toEqual(expect.any(String));
  }
  const live = (id: string) => byId.has(id) && byId.get(id).deleted_at === null;
  const expectedLinks = state.roles
    .filter((role) => role.deleted_at === null)
    .flatMap((role) => role.permission_ids.filter(live).map((permissionId: string) => ({ role_id: role.id, permission_id: permissionId })));
  const sortLinks = (links: any[]) => [...links].sort((a, b) => `${a.role_id} ${a.permission_id}`.localeCompare(`${b.role_id} ${b.permission_id}`));
  expect(sortLinks(state.role_permissions)).toEqual(sortLinks(expectedLinks));
  for (const user of state.users.filter((row) => row.deleted_at)) {
    expect([user.email, user.first_name, user.last_name, user.username, user.image_url, user.role]).toEqual([null, null, null, null, null, null]);
    expect(state.private_metadata.filter((row) => row.entity_id === user.id)).toEqual([]);
  }
}

describe('convergence', () => {
  it(`reaches the in-order state from any delivery order, with duplicates, re-sends and replays (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, ({ events, order }) =>
        withRootDb(async (client) => {
          await client.query('savepoint in_order');
          const expected = await inOrderState(client, events);
          await client.query('rollback to savepoint in_order');
          const actual = await shuffledState(client, order);
          expect(actual).toEqual(expected);
          expectNoResurrection(actual, events);
          // A second oracle that is not the implementation: the rules as a small model.
          expect(observedState(actual)).toEqual(modelState(events));
        }),
      ),
      { numRuns: RUNS },
    );
  }, 15 * 60_000);
});
