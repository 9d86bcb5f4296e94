// The server's change relay on a database of its own (no other relay runs there): it sends what
// the row triggers queue, replicas relaying together send each change once, a backlog larger than
// a batch drains without waiting, and stop() ends the loop.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { RELAY_BATCH, startLiveRelay } from '../../../server/database/liveChanges.ts';
import { createLogger } from '../../../server/logger.ts';
import { WEBHOOK_ROLE } from '../../../server/database/setup.ts';
import { fixture, uniqueTag } from '../../helpers/clerkEvents.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/scratchDatabase.ts';

let database: ScratchDatabase;
let webhook: pg.Pool;
let root: pg.Pool;
const logger = createLogger({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

beforeAll(async () => {
  database = await createScratchDatabase('live_relay');
  webhook = new pg.Pool({ connectionString: database.authUrl, max: 4, options: `-c role=${WEBHOOK_ROLE}` });
  root = new pg.Pool({ connectionString: database.rootUrl, max: 2 });
});
afterAll(async () => {
  await Promise.all([webhook.end(), root.end()]);
  await database.drop();
});

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function listen(channel: string) {
  const client = new pg.Client({ connectionString: database.rootUrl });
  await client.connect();
  const received: string[] = [];
  client.on('notification', ({ payload }) => received.push(payload ?? ''));
  await client.query(`listen ${client.escapeIdentifier(channel)}`);
  return { received, close: () => client.end() };
}

const deliver = (payload: unknown) => webhook.query('select app_private.handle_clerk_event($1::jsonb, $2) as result', [JSON.stringify(payload), `msg_${uniqueTag()}`]);
const queueLength = async () => (await root.query<{ n: number }>('select count(*)::int as n from app_private.live_changes')).rows[0].n;

describe('the live change relay', () => {
  it('sends each queued change once while replicas relay together, and stops', async () => {
    const created = fixture('user.created', uniqueTag());
    const listener = await listen(`user:${created.data.id}`);
    const relays = [1, 2, 3].map(() => startLiveRelay({ pool: webhook, intervalMs: 10, logger }));
    try {
      expect((await deliver(created)).rows[0].result).toMatchObject({ status: 'processed' });
      await until(() => listener.received.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(listener.received.map((payload) => JSON.parse(payload))).toEqual([{ kind: 'users', id: created.data.id, op: 'insert', org: null }]);
      expect(await queueLength()).toBe(0);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
    // Stopped: what is queued now stays queued.
    expect((await deliver(fixture('user.created', uniqueTag()))).rows[0].result).toMatchObject({ status: 'processed' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await queueLength()).toBe(1);
    await listener.close();
  });

  it('drains a backlog of several batches one after the other, not one per interval', async () => {
    await root.query(`insert into app_private.live_changes (channel, payload) select 'backlog', 'p' || i from generate_series(1, $1::int) as i`, [RELAY_BATCH * 3 + 5]);
    const listener = await listen('backlog');
    // An interval far longer than the test: only the no-wait rule after a full batch can drain it.
    const relay = startLiveRelay({ pool: webhook, intervalMs: 60_000, logger });
    try {
      await until(() => listener.received.length === RELAY_BATCH * 3 + 5);
      expect(listener.received.slice(0, 3)).toEqual(['p1', 'p2', 'p3']);
      expect(listener.received.at(-1)).toBe(`p${RELAY_BATCH * 3 + 5}`);
    } finally {
      await relay.stop();
      await listener.close();
    }
  });
});
