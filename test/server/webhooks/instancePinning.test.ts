// CLERK_INSTANCE_ID over real HTTP: our instance's deliveries are synced, another instance's are
// recorded ignored (foreign_instance), answered 200 so Svix stops, logged at warn and counted, and
// change no synced row; a delivery without instance_id is accepted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, getRootPool } from '../../helpers/db.ts';
import { deliverOverHttp, newSvixId } from '../../helpers/webhooks.ts';

const OURS = 'ins_2wBhLsbyDWG2fWAHf2X6qoBd8IH';
let app: RunningApp;
const lines: string[] = [];

beforeAll(async () => {
  app = await startTestApp({ CLERK_INSTANCE_ID: `ins_anotherOneOfOurs, ${OURS}`, LOG_LEVEL: 'info' }, undefined, { write: (line) => lines.push(line) });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

const organizationRow = async (id: string) => (await getRootPool().query('select id, name from app_public.organizations where id = $1', [id])).rows[0];
const ledgerRow = async (svixId: string) =>
  (await getRootPool().query('select outcome, error_code, error_message from app_private.webhook_events where svix_id = $1', [svixId])).rows[0];

describe('instance pinning', () => {
  it("processes our instance's deliveries", async () => {
    const event = fixture('organization.created', uniqueTag());
    expect(event.instance_id).toBe(OURS);
    expect((await deliverOverHttp(app.url, event)).body.status).toBe('processed');
    expect(await organizationRow((event.data as any).id)).toMatchObject({ name: (event.data as any).name });
  });

  it("records another instance's delivery as ignored (foreign_instance), answers 200, changes nothing, warns and counts", async () => {
    const event = { ...fixture('organization.created', uniqueTag()), instance_id: 'ins_someoneElsesDevInstance' };
    const svixId = newSvixId();
    const response = await deliverOverHttp(app.url, event, { svixId });
    expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'ignored', reason: 'foreign_instance', svix_id: svixId }) });
    expect(await organizationRow((event.data as any).id)).toBeUndefined();
    expect(await ledgerRow(svixId)).toEqual({ outcome: 'ignored', error_code: null, error_message: 'foreign_instance' });
    const line = lines.map((text) => JSON.parse(text)).find((record) => record.svixId === svixId);
    expect(line).toMatchObject({ level: 40, outcome: 'ignored', reason: 'foreign_instance' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^clerk_webhook_foreign_instance_total 1$/m);
    // Svix's retry of it is a duplicate like any other.
    expect((await deliverOverHttp(app.url, event, { svixId })).body).toMatchObject({ status: 'duplicate', original_status: 'ignored' });
    // Deliveries of this instance, before and after, are not counted as foreign.
    expect((await deliverOverHttp(app.url, fixture('organization.created', uniqueTag()))).body.status).toBe('processed');
    expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/^clerk_webhook_foreign_instance_total 1$/m);
  });

  it('accepts a delivery without instance_id', async () => {
    const event = fixture('variants/organization.created.no-instance-id', uniqueTag());
    expect(event).not.toHaveProperty('instance_id');
    expect((await deliverOverHttp(app.url, event)).body.status).toBe('processed');
  });

  it('without CLERK_INSTANCE_ID, accepts every instance', async () => {
    const open = await startTestApp();
    try {
      const event = { ...fixture('organization.created', uniqueTag()), instance_id: 'ins_someoneElsesDevInstance' };
      expect((await deliverOverHttp(open.url, event)).body.status).toBe('processed');
    } finally {
      await open.close();
    }
  });
});
