// `npm run webhooks -- pii-scan` as an operator runs it: a separate process on the owner
// connection, against deliveries committed to the test database.
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { runWebhooksCli } from '../helpers/cli.ts';
import { deliverAsWebhook, uniqueTag } from '../helpers/clerkEvents.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';
import { deletion, lifecycle, needles, person } from '../helpers/userLifecycle.ts';
import { newSvixId } from '../helpers/webhooks.ts';

jest.setTimeout(60_000);
afterAll(endTestPools);

const scan = (args: string[]) => runWebhooksCli(['pii-scan', ...args], { DATABASE_URL: testDatabase.ownerUrl() });

async function deliver(payloads: object[]) {
  const client = await getRootPool().connect();
  try {
    for (const payload of payloads) await deliverAsWebhook(client, payload, newSvixId());
  } finally {
    client.release();
  }
}

describe('webhooks pii-scan', () => {
  it('finds a live user everywhere, and nothing once user.deleted erased them', async () => {
    const tag = uniqueTag();
    const p = person(tag);
    const start = Date.UTC(2025, 5, 1);
    await deliver(lifecycle(p, tag, start));

    const byId = await scan([p.id]);
    expect(byId.code).toBe(1);
    expect(byId.stdout).toMatch(new RegExp(`^${p.id}: \\d+ personal values still linked: .*${p.secondEmail.replace(/\./g, '\\.')}`, 'm'));
    expect(byId.stdout).toMatch(/^app_private\.webhook_events_\d{4}_\d{2}\s+payload\s+/m);
    expect(byId.stdout).toMatch(/^personal data found: \d+ stored copies in \d+ columns$/m);

    const byEmail = await scan([p.firstEmail, '--json']);
    expect(byEmail.code).toBe(1);
    const report = JSON.parse(byEmail.stdout);
    expect(report.searched).toEqual([p.firstEmail]);
    expect(report.hits.map((hit: { table_name: string }) => hit.table_name.replace(/^app_private\.webhook_events_\w+$/, 'app_private.webhook_events'))).toEqual(expect.arrayContaining(['app_private.webhook_events', 'app_public.organization_invitations']));

    await deliver([deletion(p, tag, start + 10 * 86_400_000)]);

    const erasedById = await scan([p.id]);
    expect(erasedById.stderr).toBe('');
    expect(erasedById.code).toBe(0);
    expect(erasedById.stdout).toContain(`${p.id}: no personal values linked to this id`);
    // The id itself stays: exactly-once and operations need it.
    expect(erasedById.stdout).toMatch(/the id itself is kept as a reference in: .*app_public\.users\.id \(1\)/);
    expect(erasedById.stdout).toMatch(/^nothing to search for$/m);

    const erasedByValues = await scan(needles(p));
    expect(erasedByValues.code).toBe(0);
    expect(erasedByValues.stdout).toMatch(/^no stored copy of .* in any table$/m);
    expect(JSON.parse((await scan([p.id, ...needles(p), '--json'])).stdout)).toMatchObject({ linked: { [p.id]: [] }, hits: [] });
  });

  it('refuses identifiers too short to search for', async () => {
    const run = await scan(['ab']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/at least 3 characters \(got "ab"\)/);
  });
});
