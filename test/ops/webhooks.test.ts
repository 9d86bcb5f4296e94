// `npm run webhooks -- …` against a running server and the test database: every subcommand,
// its help and its errors, with real signatures and real ledger rows.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, TEST_WEBHOOK_SECRET, type RunningApp } from '../helpers/app.ts';
import { runWebhooksCli } from '../helpers/cli.ts';
import { fixtureText, uniqueTag } from '../helpers/clerkEvents.ts';
import { endTestPools, getOwnerPool, getRootPool, testDatabase } from '../helpers/db.ts';

jest.setTimeout(60_000);

let app: RunningApp;
let workDir: string;
let webhookUrl: string;
/** What a developer's shell holds for the ledger commands: the owner connection. */
const ledgerEnv = () => ({ DATABASE_URL: testDatabase.ownerUrl() });
const send = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runWebhooksCli(['send', ...args, '--url', webhookUrl], { CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET, ...env });

/** Fixtures with ids of their own (tagged), written as files the CLI can be pointed at. */
function writeFixtures(folder: string, names: string[], tag = uniqueTag()): string[] {
  mkdirSync(folder, { recursive: true });
  return names.map((name) => {
    const file = path.join(folder, `${path.basename(name)}.json`);
    writeFileSync(file, fixtureText(name, tag));
    return file;
  });
}

/** `200 processed  user.created  msg_…  file` lines of `send`. */
function sentLines(stdout: string) {
  return stdout
    .split('\n')
    .map((line) => /^(\d{3}) (\S+)\s+(\S+)\s+(msg_\w+)\s+(\S+)(?:\s+\((.*)\))?$/.exec(line))
    .filter((match): match is RegExpExecArray => Boolean(match))
    .map(([, status, answer, type, svixId, file, detail]) => ({ status: Number(status), answer, type, svixId, file, detail }));
}

async function ledgerRow(svixId: string) {
  const { rows } = await getOwnerPool().query('select * from app_private.webhook_events where svix_id = $1', [svixId]);
  return rows[0];
}

beforeAll(async () => {
  app = await startTestApp();
  webhookUrl = `${app.url}/api/webhooks/clerk`;
  workDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-cli-'));
});
afterAll(async () => {
  await app.close();
  await endTestPools();
  rmSync(workDir, { recursive: true, force: true });
});

describe('webhooks (the command itself)', () => {
  it('lists its subcommands in --help', async () => {
    const run = await runWebhooksCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['send', 'list', 'replay', 'stats']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('refuses an unknown subcommand or a bad option value clearly', async () => {
    const unknown = await runWebhooksCli(['resend']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'resend'/);
    const badRepeat = await runWebhooksCli(['send', 'user.created', '--repeat', 'twice']);
    expect(badRepeat.code).toBe(1);
    expect(badRepeat.stderr).toMatch(/--repeat <n>.*must be a whole number/);
    const badSince = await runWebhooksCli(['list', '--since', 'last tuesday']);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr).toMatch(/neither a date\/time .* nor an age/);
  });
});

describe('webhooks send', () => {
  it('signs a fixture named by its type as Svix does; the server verifies and records it', async () => {
    const run = await send(['variants/unknown.type']);
    expect(run.code).toBe(0);
    const [sent] = sentLines(run.stdout);
    expect(sent).toMatchObject({ status: 200, answer: 'ignored', type: 'something.new' });
    expect(sent.svixId).toMatch(/^msg_[0-9A-Za-z]{27}$/);
    expect(await ledgerRow(sent.svixId)).toMatchObject({ event_type: 'something.new', outcome: 'ignored' });
  });

  it('sends a folder oldest event first, each file under its own svix-id', async () => {
    const folder = path.join(workDir, 'story');
    writeFixtures(folder, ['organizationMembership.created', 'user.created', 'user.updated', 'variants/organization.created.no-instance-id']);
    const run = await send([folder]);
    expect(run.code).toBe(0);
    const sent = sentLines(run.stdout);
    expect(sent.map((line) => line.type)).toEqual(['user.created', 'organization.created', 'organizationMembership.created', 'user.updated']);
    expect(sent.every((line) => line.status === 200 && line.answer === 'processed')).toBe(true);
    expect(new Set(sent.map((line) => line.svixId)).size).toBe(4);
    for (const line of sent) expect(await ledgerRow(line.svixId)).toMatchObject({ outcome: 'processed' });
  });

  it('--repeat re-sends under the same svix-id (duplicates) and --shuffle mixes the order', async () => {
    const folder = path.join(workDir, 'repeat');
    const files = writeFixtures(folder, ['user.created', 'user.updated', 'user.deleted']);
    const run = await send([folder, '--repeat', '3', '--shuffle']);
    expect(run.code).toBe(0);
    const sent = sentLines(run.stdout);
    expect(sent).toHaveLength(9);
    expect(new Set(sent.map((line) => line.file))).toEqual(new Set(files.map((file) => path.relative(process.cwd(), file))));
    for (const file of new Set(sent.map((line) => line.file))) {
      const sends = sent.filter((line) => line.file === file);
      expect(new Set(sends.map((line) => line.svixId)).size).toBe(1);
      expect(sends.filter((line) => line.answer === 'duplicate')).toHaveLength(2);
      expect((await ledgerRow(sends[0].svixId)).duplicates).toBe(2);
    }
    expect(run.stdout).toMatch(/^sent 9 to .*: .*6 duplicate/m);
    // The ledger's attempts column counts every delivery of the message, duplicates included.
    const listed = await runWebhooksCli(['list', '--since', '10m', '--limit', '1000000'], ledgerEnv());
    for (const svixId of new Set(sent.map((line) => line.svixId))) expect(listed.stdout).toMatch(new RegExp(`\\s${svixId}\\s+3(\\s|$)`, 'm'));
  });

  it('finds the development secret in DATA_DIR when no secret is configured', async () => {
    const dataDir = path.join(workDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'dev-secrets.json'), JSON.stringify({ webhookSigningSecret: TEST_WEBHOOK_SECRET }));
    const run = await runWebhooksCli(['send', 'variants/unknown.type', '--url', webhookUrl], { DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(sentLines(run.stdout)[0]).toMatchObject({ status: 200 });
  });

  it('exits 1 and shows the refusal when the secret is wrong, and explains a missing secret or server', async () => {
    const wrong = await runWebhooksCli(['send', 'user.created', '--url', webhookUrl, '--secret', 'whsec_b3RoZXItc2VjcmV0LWZvci1yb3RhdGlvbi0xMjM0']);
    expect(wrong.code).toBe(1);
    expect(sentLines(wrong.stdout)[0]).toMatchObject({ status: 400, answer: 'refused', detail: 'no signature matches any configured signing secret' });
    const none = await runWebhooksCli(['send', 'user.created', '--url', webhookUrl], { DATA_DIR: path.join(workDir, 'empty') });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no signing secret: pass --secret/);
    const down = await runWebhooksCli(['send', 'user.created', '--url', 'http://127.0.0.1:9/api/webhooks/clerk', '--secret', TEST_WEBHOOK_SECRET]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not reach .*is the server running/);
    const missing = await send(['user.creatd']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no fixture "user.creatd".*Known types: .*user\.created/);
  });
});

describe('the ledger commands', () => {
  const tag = uniqueTag();
  let processedId: string;
  let recentFailureId: string;
  let oldFailureId: string;

  beforeAll(async () => {
    const run = await send(writeFixtures(path.join(workDir, 'ledger'), ['user.created'], tag));
    processedId = sentLines(run.stdout)[0].svixId;
    // Failures as a bug would have left them: valid events recorded as failed, one of them three days ago.
    recentFailureId = `msg_recent_failure_${tag}`;
    oldFailureId = `msg_old_failure_${tag}`;
    const insert = `insert into app_private.webhook_events (svix_id, event_type, object_id, payload, outcome, error_code, error_message, received_at)
                    values ($1, $2, $3, $4, 'failed', 'XX000', 'simulated bug, fixed since', now() - $5::interval)`;
    const organization = JSON.parse(fixtureText('variants/organization.created.no-instance-id', tag));
    const user = JSON.parse(fixtureText('variants/user.created.legacy-nulls', tag));
    await getRootPool().query(insert, [recentFailureId, organization.type, organization.data.id, organization, '1 minute']);
    await getRootPool().query(insert, [oldFailureId, user.type, user.data.id, user, '3 days']);
  });

  it('list shows the ledger newest first, and --failed/--since filter it', async () => {
    // Other suites commit deliveries to the same database meanwhile: ask for every row, not the newest 1000.
    const all = await runWebhooksCli(['list', '--json', '--limit', '1000000'], ledgerEnv());
    expect(all.code).toBe(0);
    const rows = all.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const received = rows.map((row) => Date.parse(row.received_at));
    expect(received).toEqual([...received].sort((a, b) => b - a));
    const ids = rows.map((row) => row.svix_id);
    expect(ids).toEqual(expect.arrayContaining([processedId, recentFailureId, oldFailureId]));
    expect(ids.indexOf(recentFailureId)).toBeLessThan(ids.indexOf(oldFailureId));

    const failedRecently = await runWebhooksCli(['list', '--failed', '--since', '1d', '--json', '--limit', '1000000'], ledgerEnv());
    const failedIds = failedRecently.stdout.trim().split('\n').map((line) => JSON.parse(line).svix_id);
    expect(failedIds).toContain(recentFailureId);
    expect(failedIds).not.toContain(oldFailureId);
    expect(failedIds).not.toContain(processedId);

    const table = await runWebhooksCli(['list', '--failed', '--limit', '1000000'], ledgerEnv());
    expect(table.stdout).toMatch(/^received\s+outcome\s+type\s+object\s+svix-id\s+attempts\s+error$/m);
    expect(table.stdout).toMatch(new RegExp(`failed\\s+organization\\.created\\s+org_\\w+\\s+${recentFailureId}\\s+1\\s+simulated bug`));
  });

  it('list says when --limit cut it short, and how many rows there are', async () => {
    const run = await runWebhooksCli(['list', '--limit', '2'], ledgerEnv());
    expect(run.code).toBe(0);
    const cut = /^showing 2 of (\d+) \(--limit\)$/m.exec(run.stdout);
    expect(cut).not.toBeNull();
    const { rows } = await getOwnerPool().query(`select count(*)::int as n from app_private.webhook_events`);
    expect(Number(cut![1])).toBeGreaterThanOrEqual(3);
    expect(Number(cut![1])).toBeLessThanOrEqual(rows[0].n);
    const json = await runWebhooksCli(['list', '--limit', '2', '--json'], ledgerEnv());
    expect(json.stdout.trim().split('\n')).toHaveLength(2);
    expect(json.stderr).toMatch(/^showing 2 of \d+ \(--limit\)$/m);
    const everything = await runWebhooksCli(['list', '--limit', '1000000'], ledgerEnv());
    expect(everything.stdout).not.toMatch(/showing \d+ of/);
  });

  it('stats counts by type and outcome and names the oldest failure', async () => {
    const run = await runWebhooksCli(['stats', '--json'], ledgerEnv());
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.stdout);
    const { rows } = await getOwnerPool().query(`select count(*)::int as n from app_private.webhook_events where event_type = 'user.created' and outcome = 'failed'`);
    expect(stats.counts).toContainEqual({ event_type: 'user.created', outcome: 'failed', count: rows[0].n });
    const { rows: oldest } = await getOwnerPool().query(`select svix_id from app_private.webhook_events where outcome = 'failed' order by received_at, svix_id limit 1`);
    expect(stats.oldestFailed.svix_id).toBe(oldest[0].svix_id);
    const table = await runWebhooksCli(['stats'], ledgerEnv());
    expect(table.stdout).toMatch(/^type\s+.*failed.*total$/m);
    expect(table.stdout).toMatch(/^oldest failed: +\S+ \S+ msg_/m);
  });

  it('replay of a processed event is a no-op; of an unknown id, a clear error', async () => {
    const before = await ledgerRow(processedId);
    const run = await runWebhooksCli(['replay', processedId], ledgerEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/"status":"duplicate"/);
    expect(await ledgerRow(processedId)).toEqual(before);
    const unknown = await runWebhooksCli(['replay', 'msg_never_delivered'], ledgerEnv());
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/no delivery with svix-id msg_never_delivered/);
  });

  it('replay --failed --since reprocesses only the failures in that window and records the outcome', async () => {
    const run = await runWebhooksCli(['replay', '--failed', '--since', '1h'], ledgerEnv());
    expect(run.stdout).toMatch(new RegExp(`^${recentFailureId}  \\{"status":"processed"`, 'm'));
    expect(run.stdout).not.toContain(oldFailureId);
    expect(await ledgerRow(recentFailureId)).toMatchObject({ outcome: 'processed', attempts: 2, error_message: null });
    expect(await ledgerRow(oldFailureId)).toMatchObject({ outcome: 'failed', attempts: 1 });
    const { rows } = await getOwnerPool().query('select name from app_public.organizations where id = $1', [`org_2xtKS56z1iD1EVaRTl9TEMizXs6_${tag}`]);
    expect(rows).toEqual([{ name: expect.any(String) }]);
  });

  it('replay needs either one svix-id or --failed', async () => {
    const neither = await runWebhooksCli(['replay'], ledgerEnv());
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/name one svix-id, or pass --failed/);
    const sinceAlone = await runWebhooksCli(['replay', processedId, '--since', '1h'], ledgerEnv());
    expect(sinceAlone.code).toBe(1);
    expect(sinceAlone.stderr).toMatch(/--since applies to --failed only/);
  });
});
