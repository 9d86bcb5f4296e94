// The connection pools the server holds. All but the readiness probe log in as the
// authenticator (AUTH_DATABASE_URL), which owns nothing and switches role per use.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { LedgerMaintenanceRun } from './ledgerRetention.ts';
import { WEBHOOK_ROLE } from './setup.ts';

export interface DatabasePools {
  /** Visitor traffic (GraphQL); the role is set per transaction from the verified JWT. */
  auth: pg.Pool;
  /** The webhook path: every connection is switched to the role that may only call handle_clerk_event. */
  webhook: pg.Pool;
  /** Owner connection, used only by probes: are migrations current, how many ledger rows failed. */
  owner: pg.Pool;
  /**
   * Warnings the database raised on the webhook path, as they arrive: 'payloadShapeChanged' with
   * a PayloadShapeChange (the drift sentinel, app_private.observe_payload_shape); and
   * 'ledgerMaintenance' with the outcome of each scheduled maintenance run of this process.
   */
  events: EventEmitter<PoolEvents>;
  /** A new client for the one LISTEN connection of live updates, which holds it for its whole life (outside the pools). */
  listenClient(): pg.Client;
  end(): Promise<void>;
}

/** A Clerk event type whose delivered `data` gained keys or lost keys every earlier delivery had. */
export interface PayloadShapeChange {
  event_type: string;
  added: string[];
  missing: string[];
}

export type PoolEvents = { payloadShapeChanged: [PayloadShapeChange]; ledgerMaintenance: [LedgerMaintenanceRun] };

const SHAPE_CHANGED_HINT = 'payload_shape_changed';

/**
 * `webhookPoolSize`: WEBHOOK_POOL_SIZE. `instanceIds`: the Clerk instances whose deliveries are synced (CLERK_INSTANCE_ID), handed to
 * the database as the webhook connections' clerk.instance_ids setting; empty accepts any.
 */
export function createPools(
  urls: { ownerUrl: string; authUrl: string },
  logger: Logger,
  { instanceIds = [], webhookPoolSize = 10 }: { instanceIds?: string[]; webhookPoolSize?: number } = {},
): DatabasePools {
  const onError = (name: string) => (error: Error) => logger.warn({ pool: name, err: error.message }, 'idle database connection failed');
  const auth = new pg.Pool({ connectionString: urls.authUrl, max: 10, connectionTimeoutMillis: 5000 });
  const webhook = new pg.Pool({
    connectionString: urls.authUrl,
    max: webhookPoolSize,
    connectionTimeoutMillis: 5000,
    options: `-c role=${WEBHOOK_ROLE}${instanceIds.length ? ` -c clerk.instance_ids=${instanceIds.join(',')}` : ''}`,
  });
  // Probes must not pile up on the one connection: the server cancels any that runs over 2 s.
  const owner = new pg.Pool({ connectionString: urls.ownerUrl, max: 1, connectionTimeoutMillis: 3000, statement_timeout: 2000 });
  auth.on('error', onError('auth'));
  // A connection that breaks while checked out (PostGraphile holds one between queries) emits
  // 'error' on the client, which would crash the process without a listener; the query in flight
  // still fails on its own.
  auth.on('connect', (client) => client.on('error', (error) => logger.warn({ pool: 'auth', err: error.message }, 'database connection failed')));
  webhook.on('error', onError('webhook'));
  const events = new EventEmitter<PoolEvents>();
  webhook.on('connect', (client) =>
    client.on('notice', (notice) => {
      if (notice.hint === SHAPE_CHANGED_HINT && notice.detail) {
        const change = JSON.parse(notice.detail) as PayloadShapeChange;
        logger.warn({ eventType: change.event_type, added: change.added, missing: change.missing }, 'Clerk payload shape changed');
        events.emit('payloadShapeChanged', change);
      } else if (notice.severity === 'WARNING') {
        logger.warn({ pool: 'webhook', message: notice.message }, 'database warning');
      }
    }),
  );
  owner.on('error', onError('owner'));
  return {
    auth,
    webhook,
    owner,
    events,
    listenClient: () => new pg.Client({ connectionString: urls.authUrl, connectionTimeoutMillis: 5000 }),
    end: async () => {
      await Promise.all([auth.end(), webhook.end(), owner.end()]);
    },
  };
}
