// The ledger commands: read app_private.webhook_events and replay through the same function the
// webhook path uses. They connect as the owner: the ledger is no visitor's business.
import pg from 'pg';
import { loadConfig } from '../server/config.ts';
import { replayWebhookEvent, type HandleClerkEventResult } from '../server/database/clerkEvents.ts';
import { resolveDatabase } from '../server/database/environment.ts';

export interface LedgerRow {
  svix_id: string;
  event_type: string | null;
  object_id: string | null;
  outcome: string;
  attempts: number;
  duplicates: number;
  received_at: Date;
  processed_at: Date | null;
  error_message: string | null;
}

export interface LedgerStats {
  counts: { event_type: string | null; outcome: string; count: number }[];
  oldestFailed: { svix_id: string; event_type: string | null; received_at: Date } | null;
  oldestUnprocessed: { svix_id: string; event_type: string | null; received_at: Date } | null;
}

const RELATIVE_TIME = /^(\d+)\s*(s|m|h|d|w)$/i;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `--since`: an ISO date/time, or an age such as 30m, 12h, 7d. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const relative = RELATIVE_TIME.exec(value.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase() as keyof typeof UNIT_MS]);
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new Error(`--since "${value}" is neither a date/time (2025-06-01, 2025-06-01T12:00:00Z) nor an age (30m, 12h, 7d)`);
  return parsed;
}

/**
 * Runs `body` on an owner connection: DATABASE_URL, else the embedded development database
 * (attached to when `npm start` is running it, started for the command otherwise).
 */
export async function withOwnerConnection<T>(body: (client: pg.Client) => Promise<T>, log: (line: string) => void = () => undefined): Promise<T> {
  const explicitUrl = process.env.DATABASE_URL;
  const database = explicitUrl ? null : await resolveDatabase(loadConfig(), log);
  const client = new pg.Client({ connectionString: explicitUrl ?? database!.ownerUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return await body(client);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '42883') {
      throw new Error(`the ledger is not in this database (${(error as Error).message}): run npm start or npm run db:migrate first`);
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
    await database?.stop();
  }
}

export async function listEvents(client: pg.ClientBase, options: { failed: boolean; since?: Date; limit: number }): Promise<LedgerRow[]> {
  const { rows } = await client.query<LedgerRow>(
    `select svix_id, event_type, object_id, outcome, attempts, duplicates, received_at, processed_at, error_message
       from app_private.webhook_events
      where ($1::boolean is false or outcome = 'failed')
        and ($2::timestamptz is null or received_at >= $2)
      order by received_at desc, svix_id desc
      limit $3`,
    [options.failed, options.since ?? null, options.limit],
  );
  return rows;
}

/** How many ledger rows match the filters of `listEvents`, so a list cut by --limit can say so. */
export async function countEvents(client: pg.ClientBase, options: { failed: boolean; since?: Date }): Promise<number> {
  const { rows } = await client.query<{ total: number }>(
    `select count(*)::int as total
       from app_private.webhook_events
      where ($1::boolean is false or outcome = 'failed')
        and ($2::timestamptz is null or received_at >= $2)`,
    [options.failed, options.since ?? null],
  );
  return rows[0].total;
}

export interface ReplayResult {
  svixId: string;
  result: HandleClerkEventResult | null;
  error?: string;
}

/** Replays one event through app_private.replay_webhook_event, in its own transaction. */
export async function replayEvent(client: pg.ClientBase, svixId: string): Promise<ReplayResult> {
  try {
    return { svixId, result: await replayWebhookEvent(client, svixId) };
  } catch (error) {
    if (['42P01', '42883'].includes((error as { code?: string }).code ?? '')) throw error;
    return { svixId, result: null, error: (error as Error).message };
  }
}

/** Failed events received since `since`, oldest first (the order they happened in). */
export async function failedSince(client: pg.ClientBase, since: Date | undefined): Promise<string[]> {
  const { rows } = await client.query<{ svix_id: string }>(
    `select svix_id from app_private.webhook_events
      where outcome = 'failed' and ($1::timestamptz is null or received_at >= $1)
      order by received_at, svix_id`,
    [since ?? null],
  );
  return rows.map((row) => row.svix_id);
}

export async function ledgerStats(client: pg.ClientBase): Promise<LedgerStats> {
  const counts = await client.query<LedgerStats['counts'][number]>(
    `select event_type, outcome, count(*)::int as count
       from app_private.webhook_events group by event_type, outcome order by event_type nulls first, outcome`,
  );
  const oldest = async (where: string) => {
    const { rows } = await client.query<NonNullable<LedgerStats['oldestFailed']>>(
      `select svix_id, event_type, received_at from app_private.webhook_events where ${where} order by received_at, svix_id limit 1`,
    );
    return rows[0] ?? null;
  };
  return { counts: counts.rows, oldestFailed: await oldest(`outcome = 'failed'`), oldestUnprocessed: await oldest('processed_at is null') };
}

export interface PayloadKeyRow {
  event_type: string;
  key: string;
  first_seen: Date;
  last_seen: Date;
  /** Whether the newest shape of the type still carries the key. */
  in_latest_shape: boolean;
  /** The last change the drift sentinel reported for the key, if any. */
  last_change: 'added' | 'missing' | null;
}

/** The drift sentinel's table: every top-level data key seen per event type (optionally one type). */
export async function payloadKeys(client: pg.ClientBase, eventType?: string): Promise<PayloadKeyRow[]> {
  const { rows } = await client.query<PayloadKeyRow>(
    `select k.event_type, k.key, k.first_seen, k.last_seen,
            coalesce(k.key = any((select s.keys from app_private.payload_shapes s where s.event_type = k.event_type
                                   order by s.first_seen desc, s.keys desc limit 1)::text[]), false) as in_latest_shape,
            (select c.change from app_private.payload_key_changes c
              where c.event_type = k.event_type and c.key = k.key order by c.id desc limit 1) as last_change
       from app_private.payload_keys k
      where $1::text is null or k.event_type = $1
      order by k.event_type, k.key`,
    [eventType ?? null],
  );
  return rows;
}
