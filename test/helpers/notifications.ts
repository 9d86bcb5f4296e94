// Listening to the database's change notifications as a test: a LISTEN connection that records
// what arrives on its channels, and a way to prove that nothing (more) arrived. The row triggers
// queue notifications and app_private.relay_live_changes sends them; settling relays the queue
// first (waiting out any other relay), so once a marker sent after that has arrived, anything the
// action under test queued has arrived before it.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { RELAY_BATCH, relayLiveChanges } from '../../server/database/liveChanges.ts';
import { testDatabase } from './db.ts';

export interface Notification {
  channel: string;
  payload: any;
}

export interface Listener {
  received: Notification[];
  /** Sends a marker on every channel listened to and waits for it; returns what came before it and clears the record. */
  settle(): Promise<Notification[]>;
  close(): Promise<void>;
}

/** The superuser on the run's test database. */
export function testDatabaseUrl(): string {
  const url = new URL(testDatabase.rootUrl());
  url.pathname = `/${testDatabase.name()}`;
  return url.toString();
}

/**
 * Relays the change queue as it stands now: null means another relay (a test app's) held the
 * lock, and once this call gets it that batch has committed; a batch that is not full emptied the
 * queue, with whatever was queued before the call.
 */
export async function relayQueuedChanges(db: pg.Client | pg.Pool): Promise<void> {
  for (;;) {
    const sent = await relayLiveChanges(db);
    if (sent !== null && sent < RELAY_BATCH) return;
    if (sent === null) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function listen(connectionString: string, channels: string[]): Promise<Listener> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const received: Notification[] = [];
  const markers = new Map<string, () => void>();
  client.on('notification', ({ channel, payload }) => {
    const marker = markers.get(payload ?? '');
    if (marker) return marker();
    received.push({ channel, payload: payload ? JSON.parse(payload) : null });
  });
  for (const channel of channels) await client.query(`listen ${client.escapeIdentifier(channel)}`);
  const sender = new pg.Client({ connectionString });
  await sender.connect();
  return {
    received,
    async settle() {
      await relayQueuedChanges(sender);
      const arrived = channels.map((channel) => {
        const marker = `marker:${randomUUID()}`;
        const seen = new Promise<void>((resolve) => markers.set(marker, resolve));
        return { channel, marker, seen };
      });
      for (const { channel, marker } of arrived) await sender.query('select pg_notify($1, $2)', [channel, marker]);
      await Promise.all(arrived.map(({ seen }) => seen));
      return received.splice(0, received.length);
    },
    async close() {
      await Promise.all([client.end(), sender.end()]);
    },
  };
}
