// The drift sentinel over real HTTP: a key Clerk starts sending, and a key it stops sending, are
// each logged at warn once, counted in clerk_webhook_payload_keys_changed_total, and listed by
// `npm run webhooks -- shapes`; a known shape reports nothing.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { runWebhooksCli } from '../../helpers/cli.ts';
import { uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, testDatabase } from '../../helpers/db.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';

jest.setTimeout(60_000);

// An event type of this test's own (letters only, as Clerk's are), so other suites' deliveries
// never share its shapes; no family models it, so it is ignored, and still observed.
const TYPE = `probe${uniqueTag().replace(/\d/g, (digit) => 'abcdefghij'[Number(digit)])}.updated`;
const deliver = (data: Record<string, unknown>) => deliverOverHttp(app.url, { type: TYPE, object: 'event', data: { id: `probe_${uniqueTag()}`, ...data } });

let app: RunningApp;
const lines: string[] = [];
const shapeWarnings = () =>
  lines.map((line) => JSON.parse(line)).filter((record) => record.msg === 'Clerk payload shape changed' && record.eventType === TYPE);
const metricLine = (change: string) =>
  new RegExp(`^clerk_webhook_payload_keys_changed_total\\{event_type="${TYPE.replace('.', '\\.')}",change="${change}"\\} (\\d+)$`, 'm');
async function changed(change: string): Promise<number | undefined> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const match = metricLine(change).exec(text);
  return match ? Number(match[1]) : undefined;
}

beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: 'info' }, undefined, { write: (line) => lines.push(line) });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

describe('the payload drift sentinel', () => {
  it('learns the first shape of a type silently', async () => {
    expect((await deliver({ name: 'a', status: 'x' })).body.status).toBe('ignored');
    expect(shapeWarnings()).toEqual([]);
    expect(await changed('added')).toBeUndefined();
  });

  it('warns once and counts a key that appears', async () => {
    expect((await deliver({ name: 'a', status: 'x', region: 'eu' })).status).toBe(200);
    expect(shapeWarnings()).toEqual([expect.objectContaining({ level: 40, added: ['region'], missing: [] })]);
    expect(await changed('added')).toBe(1);
    // The same shape again is known: nothing new.
    await deliver({ name: 'b', status: 'y', region: 'us' });
    expect(shapeWarnings()).toHaveLength(1);
    expect(await changed('added')).toBe(1);
  });

  it('warns and counts a key every earlier delivery had that one lacks', async () => {
    expect((await deliver({ name: 'a', region: 'eu' })).status).toBe(200);
    expect(shapeWarnings().at(-1)).toMatchObject({ added: [], missing: ['status'] });
    expect(await changed('missing')).toBe(1);
    expect(await changed('added')).toBe(1);
  });

  it('lists the keys with first and last sighting and the drift in `webhooks shapes`', async () => {
    const run = await runWebhooksCli(['shapes', TYPE], { DATABASE_URL: testDatabase.ownerUrl() });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^type\s+key\s+first seen\s+last seen\s+drift$/);
    const byKey = Object.fromEntries(rows.slice(1).map((row) => [row.split(/\s+/)[1], row]));
    expect(Object.keys(byKey).sort()).toEqual(['id', 'name', 'region', 'status']);
    expect(byKey.region).toMatch(/ added$/);
    expect(byKey.status).toMatch(/ missing from the latest shape$/);
    expect(byKey.name).toMatch(new RegExp(`^${TYPE.replace('.', '\\.')}\\s+name\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z$`));
  });
});
