// The backfill engine against the fake Backend API over real HTTP and a database of its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createBackendApi, type RetryPolicy } from '../../../server/clerk/backendApi.ts';
import { runBackfill, type BackfillDeps, type BackfillRequest } from '../../../ops/backfill/backfill.ts';
import { FakeClerkBackendApi } from '../../fakes/clerkBackendApi.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { clerkState, countRows, deliverWebhook, syncedState } from '../../helpers/syncedState.ts';

let database: ScratchDatabase;
let fake: FakeClerkBackendApi;

const SYNCED = ['users', 'organizations', 'memberships'] as const;
const waits: number[] = [];
const fastRetry: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 60_000, sleep: async (ms) => void waits.push(ms) };

function backfill(request: Partial<BackfillRequest> = {}, deps: Partial<BackfillDeps> = {}) {
  return runBackfill(
    { families: [...SYNCED], resume: false, reconcile: false, dryRun: false, ...request },
    { api: createBackendApi({ secretKey: fake.secretKey, apiUrl: fake.url }), db: database.owner, retry: fastRetry, pageSize: 7, batchSize: 4, ...deps },
  );
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function resetDatabase() {
  await database.owner.query(
    `truncate app_public.users, app_public.organizations, app_public.organization_memberships, app_public.audit_logs,
              app_public.roles, app_public.permissions, app_public.organization_invitations, app_private.webhook_events,
              app_private.backfill_runs cascade`,
  );
}

beforeAll(async () => {
  database = await createScratchDatabase('backfill');
});
afterAll(async () => {
  await fake?.stop();
  await database.drop();
});
beforeEach(async () => {
  await fake?.stop();
  fake = new FakeClerkBackendApi();
  fake.seed({ users: 30, organizations: 5, memberships: 40 });
  await fake.start();
  await resetDatabase();
  waits.length = 0;
});

describe('runBackfill', () => {
  it('copies every user, organization and membership, and a second run changes nothing', async () => {
    const first = await backfill();
    expect(first.counts).toEqual({ users: { created: 30 }, organizations: { created: 5 }, memberships: { created: 40 } });
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));

    const audits = await countRows(database.owner, 'app_public.audit_logs');
    const ledger = await countRows(database.owner, 'app_private.webhook_events');
    const second = await backfill();
    expect(second.counts).toEqual({ users: { unchanged: 30 }, organizations: { unchanged: 5 }, memberships: { unchanged: 40 } });
    expect(await countRows(database.owner, 'app_public.audit_logs')).toBe(audits);
    expect(await countRows(database.owner, 'app_private.webhook_events')).toBe(ledger);
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
  });

  it('syncs the instance\'s permissions and roles, with their links and permission types', async () => {
    const summary = await backfill({ families: ['permissions', 'roles'] });
    expect(summary.counts).toEqual({ permissions: { created: 25 }, roles: { created: 5 } });
    const { rows } = await database.owner.query(
      `select r.key, count(*)::int as permissions, count(*) filter (where p.type = 'system')::int as system
         from app_public.roles r join app_public.role_permissions rp on rp.role_id = r.id join app_public.permissions p on p.id = rp.permission_id
        group by r.key order by r.key`,
    );
    expect(rows).toEqual([
      { key: 'org:admin', permissions: 13, system: 8 },
      { key: 'org:compliance', permissions: 5, system: 1 },
      { key: 'org:dispatcher', permissions: 5, system: 1 },
      { key: 'org:driver', permissions: 5, system: 1 },
      { key: 'org:member', permissions: 1, system: 1 },
    ]);
    expect((await backfill({ families: ['permissions', 'roles'] })).counts).toEqual({ permissions: { unchanged: 25 }, roles: { unchanged: 5 } });
  });

  it('syncs organization invitations in each state Clerk lists them', async () => {
    const [first, second] = fake.snapshot().organizations.map((organization) => organization.id as string);
    const pending = fake.addInvitation(first, 'new.driver@fleet.example', 'org:driver');
    const accepted = fake.addInvitation(first, 'dispatch@fleet.example', 'org:dispatcher', 'accepted', fake.snapshot().users[0].id as string);
    const revoked = fake.addInvitation(second, 'old@fleet.example', 'org:member', 'revoked');
    const summary = await backfill({ families: ['invitations'] });
    expect(summary.counts).toEqual({ invitations: { created: 3 } });
    const { rows } = await database.owner.query(`select id, organization_id, status, role, user_id from app_public.organization_invitations`);
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a.id) < String(b.id) ? -1 : 1);
    expect(rows.sort(byId)).toEqual(
      [pending, accepted, revoked]
        .map((invitation) => ({ id: invitation.id, organization_id: invitation.organization_id, status: invitation.status, role: invitation.role, user_id: invitation.user_id }))
        .sort(byId),
    );
    const { rows: ledger } = await database.owner.query(`select event_type from app_private.webhook_events where source = 'backfill' order by event_type`);
    expect(ledger.map((row) => row.event_type)).toEqual(['organizationInvitation.accepted', 'organizationInvitation.created', 'organizationInvitation.revoked']);
  });

  it('a rerun sends nothing whose ledger key is recorded: an object that failed stays reported failed, not silently re-applied', async () => {
    const broken = fake.snapshot().users[2];
    // The database refuses this one user, as a bug in a sync function would.
    await database.owner.query(`alter table app_public.users add constraint refuses_one_user check (id <> '${broken.id as string}')`);
    try {
      await backfillTwiceWithOneFailure(broken.id as string);
    } finally {
      await database.owner.query('alter table app_public.users drop constraint refuses_one_user');
    }
  });

  async function backfillTwiceWithOneFailure(brokenId: string) {
    const first = await backfill({ families: ['users'] });
    expect(first.counts).toEqual({ users: { created: 29, failed: 1 } });
    const { rows: ledgerBefore } = await database.owner.query(`select svix_id, outcome, duplicates from app_private.webhook_events order by svix_id`);

    const second = await backfill({ families: ['users'] });
    expect(second.counts).toEqual({ users: { unchanged: 29, failed: 1 } });
    expect(second.failures).toEqual([{ id: brokenId, family: 'users', error: expect.stringContaining('failed when first replayed') }]);
    // Not even a duplicate was counted: the rerun looked the keys up and called nothing.
    expect((await database.owner.query(`select svix_id, outcome, duplicates from app_private.webhook_events order by svix_id`)).rows).toEqual(ledgerBefore);
  }

  it('with since, requests and applies only what changed after the cutoff: users newest first until the cutoff, memberships instance-wide', async () => {
    await backfill();
    const before = fake.snapshot();
    const cutoff = Math.max(...[...before.users, ...before.organizations, ...before.memberships].map((object) => object.updated_at as number)) + 1;
    const newcomer = fake.createUser({ firstName: 'Nova' });
    for (const organization of before.organizations.slice(0, 2)) fake.addMembership(organization.id as string, newcomer.id as string, 'org:member');
    for (const user of before.users.slice(0, 2)) fake.updateUser(user.id as string, { first_name: `${String(user.first_name)} II` });
    fake.updateOrganization(before.organizations[4].id as string, { name: 'Renamed Freight' });

    const requestsBefore = fake.requests.length;
    const incremental = await backfill({ since: new Date(cutoff).toISOString() });
    const requests = fake.requests.slice(requestsBefore);
    expect(incremental.counts).toEqual({ users: { created: 1, updated: 2 }, organizations: { updated: 1 }, memberships: { created: 2 } });
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
    // 31 users, 7 a page, newest change first: the first page already reaches past the cutoff.
    expect(requests.filter((request) => request.path === '/v1/users')).toEqual([expect.objectContaining({ query: expect.any(URLSearchParams) })]);
    expect(requests.find((request) => request.path === '/v1/users')!.query.get('order_by')).toBe('-updated_at');
    // 42 memberships, 7 a page, from one listing; no per-organization walk.
    expect(requests.filter((request) => request.path === '/v1/organization_memberships')).toHaveLength(7);
    expect(requests.filter((request) => /^\/v1\/organizations\/[^/]+\/memberships$/.test(request.path))).toEqual([]);
  });

  it('refuses since together with reconcile: reconciling needs the full listing', async () => {
    await expect(backfill({ since: new Date().toISOString(), reconcile: true })).rejects.toThrow(/--since .*full listing/);
    expect(await countRows(database.owner, 'app_private.backfill_runs')).toBe(0);
  });

  it('reports a later change in Clerk as an update', async () => {
    await backfill();
    const user = fake.snapshot().users[3];
    fake.updateUser(user.id as string, { first_name: 'Renamed' });
    const second = await backfill({ families: ['users'] });
    expect(second.counts.users).toEqual({ updated: 1, unchanged: 29 });
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
  });

  it('never overwrites a webhook newer than what Clerk listed', async () => {
    const user = fake.snapshot().users[5] as Record<string, any>;
    const newer = { ...user, first_name: 'FromWebhook', updated_at: user.updated_at + 60_000 };
    expect(await deliverWebhook(database.owner, 'msg_newer_than_backfill', 'user.updated', newer)).toMatchObject({ status: 'processed' });

    const summary = await backfill({ families: ['users'] });
    expect(summary.counts.users).toEqual({ created: 29, stale: 1 });
    const { rows } = await database.owner.query(`select first_name, (extract(epoch from clerk_updated_at) * 1000)::bigint as v from app_public.users where id = $1`, [user.id]);
    expect(rows[0]).toEqual({ first_name: 'FromWebhook', v: String(newer.updated_at) });
  });

  it("waits out 429s with Clerk's Retry-After and retries 5xx while paging", async () => {
    fake.injectFault({ status: 429, retryAfter: 3, count: 2, match: (request) => request.path === '/v1/users' && request.query.get('offset') === '14' });
    fake.injectFault({ status: 502, count: 1, match: (request) => request.path.endsWith('/memberships') });
    const summary = await backfill();
    expect(summary.totals.created).toBe(75);
    expect(waits.filter((ms) => ms === 3000)).toHaveLength(2);
    expect(waits.filter((ms) => ms < 3000)).toHaveLength(1);
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
  });

  it("fills a batch from several organizations' pages: one transaction per batch, not one per page", async () => {
    // 40 memberships over 5 organizations, listed 7 at a time: 10 pages, all but 5 of them short.
    const done: number[] = [];
    const summary = await backfill({}, { batchSize: 20, onProgress: async (progress) => void (progress.family === 'memberships' && done.push(progress.done)) });
    expect(summary.counts.memberships).toEqual({ created: 40 });
    // Two batches of 20, then the family's end.
    expect(done).toEqual([20, 40, 40]);
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
  });

  it('resumes from its checkpoint after stopping on an error, without paging again what it stored', async () => {
    const organizations = fake.snapshot().organizations;
    fake.injectFault({ status: 400, count: 1, match: (request) => request.path === `/v1/organizations/${organizations[3].id}/memberships` });
    await expect(backfill()).rejects.toMatchObject({ status: 400 });
    const { rows: runs } = await database.owner.query(`select status, family, cursor, completed_families from app_private.backfill_runs`);
    expect(runs).toEqual([{ status: 'failed', family: 'memberships', cursor: { organizationOffset: 3, offset: 0 }, completed_families: ['users', 'organizations'] }]);
    const storedBefore = await countRows(database.owner, 'app_public.organization_memberships');
    expect(storedBefore).toBe(24);

    const { rows: [failed] } = await database.owner.query(`select error, finished_at from app_private.backfill_runs`);
    expect(failed).toEqual({ error: 'Bad Request', finished_at: null });

    const requestsBefore = fake.requests.length;
    const during: unknown[] = [];
    const resumed = await backfill({ resume: true }, { onProgress: async () => void during.push((await database.owner.query(`select status, error from app_private.backfill_runs`)).rows[0]) });
    expect(new Set(during.map((row) => JSON.stringify(row)))).toEqual(new Set([JSON.stringify({ status: 'running', error: null })]));
    const resumedRequests = fake.requests.slice(requestsBefore);
    expect(resumed.resumed).toBe(true);
    expect(resumedRequests.some((request) => request.path === '/v1/users')).toBe(false);
    expect(resumedRequests.some((request) => request.path === `/v1/organizations/${organizations[0].id}/memberships`)).toBe(false);
    expect(resumed.counts).toEqual({ users: { created: 30 }, organizations: { created: 5 }, memberships: { created: 40 } });
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
    expect((await database.owner.query(`select status, error, finished_at is not null as finished from app_private.backfill_runs`)).rows).toEqual([{ status: 'completed', error: null, finished: true }]);
  });

  it('a real run supersedes an interrupted reconciling run and drops what that run had seen', async () => {
    fake.injectFault({ status: 400, count: 1, match: (request) => request.path === '/v1/organizations' });
    await expect(backfill({ reconcile: true })).rejects.toMatchObject({ status: 400 });
    const { rows: [interrupted] } = await database.owner.query(`select id from app_private.backfill_runs where status = 'failed'`);
    expect(await countRows(database.owner, 'app_private.backfill_seen', `run_id = ${Number(interrupted.id)}`)).toBe(30);
    await backfill({ families: ['users'] });
    expect((await database.owner.query(`select status, finished_at is not null as finished from app_private.backfill_runs where id = $1`, [interrupted.id])).rows).toEqual([{ status: 'superseded', finished: true }]);
    expect(await countRows(database.owner, 'app_private.backfill_seen')).toBe(0);
  });

  it('runs a batch again when it deadlocks with a concurrent writer (such as a live webhook)', async () => {
    await backfill({ families: ['users'] });
    const users = fake.snapshot().users.slice(0, 4);
    for (const user of users) fake.updateUser(user.id as string, { first_name: `${String(user.first_name)} II` });
    const other = new pg.Client({ connectionString: database.rootUrl });
    await other.connect();
    try {
      // The other side waits 10 s before checking for a deadlock, the backfill 1 s: the backfill's batch is the victim.
      await other.query(`begin; set local deadlock_timeout = '10s'`);
      await other.query(`update app_public.users set username = 'held' where id = $1`, [users[3].id]);
      const run = backfill({ families: ['users'] });
      await waitUntil(async () => (await other.query(`select count(*)::int as n from pg_locks where not granted`)).rows[0].n > 0);
      const crossing = other.query(`update app_public.users set username = 'held' where id = $1`, [users[0].id]);
      await crossing;
      await other.query('rollback');
      const summary = await run;
      expect(summary.counts.users).toEqual({ updated: 4, unchanged: 26 });
      expect((await syncedState(database.owner)).users).toEqual(clerkState(fake).users);
    } finally {
      await other.end();
    }
  });

  it('leaves an interrupted run resumable across a dry run, and a new real run supersedes it', async () => {
    fake.injectFault({ status: 400, count: 1, match: (request) => request.path === '/v1/organizations' });
    await expect(backfill()).rejects.toMatchObject({ status: 400 });
    const dry = await backfill({ dryRun: true });
    expect(dry.totals.created).toBe(75 - 30);
    const resumed = await backfill({ resume: true });
    expect(resumed).toMatchObject({ resumed: true, counts: { users: { created: 30 }, organizations: { created: 5 }, memberships: { created: 40 } } });

    fake.injectFault({ status: 400, count: 1, match: (request) => request.path === '/v1/organizations' });
    await expect(backfill()).rejects.toMatchObject({ status: 400 });
    expect((await backfill()).resumed).toBe(false);
    const { rows } = await database.owner.query(`select status, (options->>'dryRun')::boolean as dry from app_private.backfill_runs order by id`);
    expect(rows).toEqual([
      { status: 'completed', dry: false },
      { status: 'completed', dry: true },
      { status: 'superseded', dry: false },
      { status: 'completed', dry: false },
    ]);
  });

  it('starts afresh when asked to resume with nothing to resume', async () => {
    const notices: string[] = [];
    const summary = await backfill({ resume: true, families: ['organizations'] }, { onNotice: (line) => notices.push(line) });
    expect(summary.resumed).toBe(false);
    expect(notices).toEqual(['no interrupted run to resume: starting a new one']);
  });
});

describe('reconciliation', () => {
  async function deleteSomeInClerk() {
    const lonelyUser = fake.createUser();
    await backfill();
    const { organizations, memberships } = fake.snapshot() as Record<string, Record<string, any>[]>;
    fake.deleteUser(lonelyUser.id as string);
    fake.deleteOrganization(organizations[1].id);
    const removed = memberships.find((membership) => membership.organization.id === organizations[2].id)!;
    fake.removeMembership(removed.organization.id, removed.public_user_data.user_id);
    return { lonelyUser, organization: organizations[1], removed };
  }

  it('reports in a dry run what it would delete, and writes nothing', async () => {
    await deleteSomeInClerk();
    const before = await syncedState(database.owner);
    const audits = await countRows(database.owner, 'app_public.audit_logs');
    const summary = await backfill({ reconcile: true, dryRun: true });
    expect(summary.counts.users).toEqual({ unchanged: 30, deleted: 1 });
    expect(summary.counts.organizations).toEqual({ unchanged: 4, deleted: 1 });
    // The deleted organization's 8 memberships go with it; the one removed by hand is the only other.
    expect(summary.counts.memberships).toEqual({ unchanged: 31, deleted: 9 });
    expect(await syncedState(database.owner)).toEqual(before);
    expect(await countRows(database.owner, 'app_public.audit_logs')).toBe(audits);
  });

  it('marks deleted what Clerk no longer has, through handle_clerk_event with an audit row', async () => {
    const { lonelyUser, organization, removed } = await deleteSomeInClerk();
    const summary = await backfill({ reconcile: true });
    expect([summary.counts.users?.deleted, summary.counts.organizations?.deleted, summary.counts.memberships?.deleted]).toEqual([1, 1, 9]);
    expect(await syncedState(database.owner)).toEqual(clerkState(fake));
    const { rows } = await database.owner.query(
      `select entity_id, action, svix_id from app_public.audit_logs where svix_id like 'reconcile:%' and entity_id = any($1) order by entity_id`,
      [[lonelyUser.id, organization.id, removed.id]],
    );
    expect(rows.map((row) => [row.entity_id, row.action])).toEqual(
      [lonelyUser.id as string, organization.id, removed.id].sort().map((id) => [id, 'deleted']),
    );
    const again = await backfill({ reconcile: true });
    expect(again.totals.deleted).toBe(0);
  });

  it('asks Clerk by id only about what its listing did not show, and keeps no seen set once done', async () => {
    const { lonelyUser, organization } = await deleteSomeInClerk();
    const before = fake.requests.length;
    await backfill({ reconcile: true, families: ['users', 'organizations'] });
    const askedById = fake.requests
      .slice(before)
      .filter((request) => !request.path.endsWith('/count'))
      .flatMap((request) => [...request.query.getAll('user_id'), ...request.query.getAll('organization_id')])
      .sort();
    expect(askedById).toEqual([lonelyUser.id as string, organization.id].sort());
    expect(await countRows(database.owner, 'app_private.backfill_seen')).toBe(0);
  });

  it('does not delete what appeared in Clerk after the listing (asks Clerk by id first)', async () => {
    await backfill();
    let lateUserId = '';
    const summary = await backfill(
      { reconcile: true, families: ['users'] },
      {
        onProgress: async (progress) => {
          if (progress.family !== 'users' || progress.done !== 30 || lateUserId) return;
          const late = fake.createUser();
          lateUserId = late.id as string;
          await deliverWebhook(database.owner, 'msg_late_user', 'user.created', late);
        },
      },
    );
    expect(lateUserId).not.toBe('');
    expect(summary.counts.users?.deleted).toBeUndefined();
    expect(await countRows(database.owner, 'app_public.users', `id = '${lateUserId}' and deleted_at is null`)).toBe(1);
  });
});
