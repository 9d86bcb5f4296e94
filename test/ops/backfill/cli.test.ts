// `clerk backfill` as an operator runs it: a child process against the fake Backend API over
// HTTP, at the scale of a real instance (10,000 users, 1,000 organizations, 20,000 memberships), killed
// with SIGKILL halfway through and resumed.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeClerkBackendApi } from '../../fakes/clerkBackendApi.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { clerkState, countRows, deliverWebhook, syncedState } from '../../helpers/syncedState.ts';

const SCALE = { users: 10_000, organizations: 1_000, memberships: 20_000 };
const ONLY = '--only=users,organizations,memberships';

let database: ScratchDatabase;
const fake = new FakeClerkBackendApi();

interface CliRun {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  kill(): void;
}

function runCli(...args: string[]): CliRun {
  const child = spawn(process.execPath, ['ops/clerk.ts', 'backfill', ...args], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      ENV_FILE: '', // a developer's .env must not reach the process under test
      NODE_ENV: 'test',
      DATABASE_URL: database.ownerUrl,
      AUTH_DATABASE_URL: database.authUrl,
      CLERK_SECRET_KEY: fake.secretKey,
      CLERK_API_URL: fake.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return {
    exit: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))),
    kill: () => child.kill('SIGKILL'),
  };
}

async function completed(run: CliRun) {
  const result = await run.exit;
  if (result.code !== 0) throw new Error(`clerk backfill exited with ${result.code ?? result.signal}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const timings: Record<string, number> = {};
async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await body();
  } finally {
    timings[label] = Date.now() - started;
  }
}

beforeAll(async () => {
  database = await createScratchDatabase('backfill_cli');
  fake.seed(SCALE);
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
  await database.drop();
  process.stdout.write(`clerk backfill timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('clerk backfill (CLI)', () => {
  it('completes 10k/1k/20k, resumes after SIGKILL, keeps a newer webhook, and a second run changes nothing', async () => {
    const organizations = fake.snapshot().organizations;
    const halfway = organizations[500].id as string;
    const held = fake.holdRequest((request) => request.path === `/v1/organizations/${halfway}/memberships`);

    const first = runCli(ONLY, '--json');
    await timed('until killed halfway', async () => {
      await Promise.race([held, first.exit.then((result) => Promise.reject(new Error(`exited early: ${result.stderr}`)))]);
      // The held request is the prefetch of organization 500; wait for organization 499's batch to commit.
      await waitFor(async () => {
        const { rows } = await database.owner.query(`select cursor from app_private.backfill_runs where status = 'running'`);
        return rows[0]?.cursor?.organizationOffset === 500;
      }, 'the checkpoint at organization 500');
      first.kill();
      expect((await first.exit).signal).toBe('SIGKILL');
    });

    const { rows: checkpoint } = await database.owner.query(`select status, family, cursor, completed_families from app_private.backfill_runs`);
    expect(checkpoint).toEqual([{ status: 'running', family: 'memberships', cursor: { organizationOffset: 500, offset: 0 }, completed_families: ['users', 'organizations'] }]);
    expect(await countRows(database.owner, 'app_public.organization_memberships')).toBe(10_000);

    // While the backfill is down, a webhook brings a newer version of a membership it has not reached.
    const later = fake.snapshot().memberships.find((membership: Record<string, any>) => membership.organization.id === organizations[700].id) as Record<string, any>;
    const webhookVersion = { ...later, role: 'org:driver', updated_at: later.updated_at + 60_000 };
    expect(await deliverWebhook(database.owner, 'msg_during_outage', 'organizationMembership.updated', webhookVersion)).toMatchObject({ status: 'processed' });

    const requestsBefore = fake.requests.length;
    const resumed = await timed('resume', () => completed(runCli(ONLY, '--resume', '--json')));
    const resumedRequests = fake.requests.slice(requestsBefore);
    expect(resumed.resumed).toBe(true);
    expect(resumedRequests.some((request) => request.path === '/v1/users')).toBe(false);
    expect(resumedRequests.some((request) => request.path === `/v1/organizations/${organizations[499].id}/memberships`)).toBe(false);
    expect(resumed.counts).toEqual({
      users: { created: 10_000 },
      organizations: { created: 1_000 },
      memberships: { created: 19_999, stale: 1 },
    });

    const expected = clerkState(fake);
    const webhookLine = `${later.id}@${webhookVersion.updated_at} ${organizations[700].id}/${later.public_user_data.user_id}/org:driver`;
    expected.memberships = expected.memberships.map((line) => (line.startsWith(`${later.id}@`) ? webhookLine : line));
    expect(await syncedState(database.owner)).toEqual(expected);

    const audits = await countRows(database.owner, 'app_public.audit_logs');
    const again = await timed('second run', () => completed(runCli(ONLY, '--json')));
    expect(again.counts).toEqual({ users: { unchanged: 10_000 }, organizations: { unchanged: 1_000 }, memberships: { unchanged: 20_000 } });
    expect(await countRows(database.owner, 'app_public.audit_logs')).toBe(audits);
    expect(await syncedState(database.owner)).toEqual(expected);
  }, 240_000);

  it('explains a bad --only and exits 2', async () => {
    const result = await runCli('--only=users,widgets').exit;
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--only takes a comma-separated list of permissions, roles, users, organizations, memberships, invitations (got: widgets)');
  });
});
