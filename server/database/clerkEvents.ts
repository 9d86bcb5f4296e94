// The one way TypeScript hands Clerk events to the database: app_private.handle_clerk_event (one
// event, or many in order in one statement) and app_private.replay_webhook_event, with the result
// object both return. The webhook route, the admin actions, the backfill, the ledger CLI, the tests
// and the benchmarks all call these, so the SQL text, its result type and the rule for which
// SQLSTATEs are worth retrying exist once. What the result fields mean: docs/webhooks.md.
import type pg from 'pg';

export type ClerkEventStatus = 'processed' | 'duplicate' | 'stale' | 'ignored' | 'failed';

/** The result object of app_private.handle_clerk_event and app_private.replay_webhook_event. */
export interface HandleClerkEventResult {
  status: ClerkEventStatus;
  svix_id: string;
  event_type?: string;
  object_id?: string;
  organization_id?: string;
  /** Failed only: the SQLSTATE and message the sync raised. */
  error?: { code: string; message: string };
  /** Duplicate only: the outcome recorded the first time. */
  original_status?: string;
  /** Ignored only, when for a reason of its own: foreign_instance (another Clerk instance's delivery). */
  reason?: string;
}

/** A pool, a checked-out client or a plain client: anything that runs a query. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Who called, as the ledger's `source` column records it. */
export type EventSource = 'webhook' | 'backfill' | 'reconcile' | 'admin';

/** A Clerk webhook envelope, as Clerk sends it and as synthesized events imitate it. */
export interface ClerkEventEnvelope {
  type: string;
  object: 'event';
  data: Record<string, unknown>;
  /** Milliseconds since the epoch (Clerk's envelope time). */
  timestamp: unknown;
  event_attributes?: { http_request?: { client_ip: string | null; user_agent: string | null } };
}

/** An event made here rather than received: its ledger key and its envelope. */
export interface SynthesizedEvent {
  svixId: string;
  payload: ClerkEventEnvelope;
}

/**
 * The envelope Clerk would send for `data`. The admin actions pass the caller's address and user
 * agent, which the audit row records as Clerk's own `event_attributes.http_request` would be.
 */
export function synthesizedEnvelope(
  type: string,
  data: Record<string, unknown>,
  timestamp: unknown,
  httpRequest?: { clientIp: string | null; userAgent: string | null },
): ClerkEventEnvelope {
  const envelope: ClerkEventEnvelope = { type, object: 'event', data, timestamp };
  if (httpRequest) envelope.event_attributes = { http_request: { client_ip: httpRequest.clientIp, user_agent: httpRequest.userAgent } };
  return envelope;
}

const HANDLE_CLERK_EVENT = 'select app_private.handle_clerk_event($1::jsonb, $2) as result';
const HANDLE_CLERK_EVENT_FROM = 'select app_private.handle_clerk_event($1::jsonb, $2, $3) as result';
const HANDLE_CLERK_EVENTS = 'select result from app_private.handle_clerk_events($1::jsonb[], $2::text[], $3) as result';
const REPLAY_WEBHOOK_EVENT = 'select app_private.replay_webhook_event($1) as result';

/**
 * Applies one event. `json` is the event as JSON text (the webhook route passes the body it
 * verified, byte for byte); `svixId` null makes the ledger key a hash of the payload; `source`
 * defaults to the webhook's.
 */
export async function handleClerkEvent(db: Queryable, json: string, svixId: string | null, source?: EventSource): Promise<HandleClerkEventResult> {
  // Named statements: each connection parses and plans the call once, not on every delivery.
  const { rows } = source
    ? await db.query<{ result: HandleClerkEventResult }>({ name: 'handle_clerk_event_from', text: HANDLE_CLERK_EVENT_FROM, values: [json, svixId, source] })
    : await db.query<{ result: HandleClerkEventResult }>({ name: 'handle_clerk_event', text: HANDLE_CLERK_EVENT, values: [json, svixId] });
  return rows[0].result;
}

/** Applies events in order in one statement; the answers come back in the same order. */
export async function handleClerkEvents(db: Queryable, events: SynthesizedEvent[], source: EventSource): Promise<HandleClerkEventResult[]> {
  if (!events.length) return [];
  const { rows } = await db.query<{ result: HandleClerkEventResult }>({
    name: 'handle_clerk_events',
    text: HANDLE_CLERK_EVENTS,
    values: [events.map((event) => JSON.stringify(event.payload)), events.map((event) => event.svixId), source],
  });
  return rows.map((row) => row.result);
}

/** Processes a stored delivery again (owner only); raises P0002 for a svix-id the ledger lacks. */
export async function replayWebhookEvent(db: Queryable, svixId: string): Promise<HandleClerkEventResult> {
  const { rows } = await db.query<{ result: HandleClerkEventResult }>(REPLAY_WEBHOOK_EVENT, [svixId]);
  return rows[0].result;
}

/** The error the sync reported for a failed event, as one line. */
export function failureMessage(result: HandleClerkEventResult): string {
  const error = result.error as Partial<HandleClerkEventResult['error']> | undefined;
  return error ? `${error.message ?? 'failed'}${error.code ? ` (SQLSTATE ${error.code})` : ''}` : 'failed';
}

// Retrying can succeed: transaction rollback such as a serialization failure or deadlock (class
// 40), insufficient resources (53), operator intervention such as a shutdown or a cancel (57),
// connection exceptions (08), and a lock not available (55P03, lock_timeout).
const TRANSIENT_SQLSTATE = /^(40|53|57|08)[0-9A-Z]{3}$|^55P03$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Whether a SQLSTATE names a failure that the same statement, sent again later, may not meet. */
export function isTransientSqlState(code: unknown): boolean {
  return typeof code === 'string' && TRANSIENT_SQLSTATE.test(code);
}

/** The SQLSTATE of an error Postgres raised, or undefined (a connection failure, or not Postgres's). */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}
