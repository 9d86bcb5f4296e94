// The receivers the ingest benchmark measures the product against, one per process:
//   bare-function  Express + svix verification + one call of bench.bare_ingest (the cost floor)
//   bare-with-ledger  the same calling bench.bare_ingest_with_ledger: plus a ledger-shaped insert of
//                  the payload in the same round trip (the floor of the product's durable writes)
//   conventional   Express + svix verification + a TypeScript handler doing the ledger, the
//                  ordering check, the upsert and the audit row in several queries, one transaction
//   verify-only    Express + svix verification, no database
//   node-http      node:http answering 200 once the body is read
// usage: node bench/servers/baselineReceiver.ts <mode>  (PORT, WEBHOOK_SECRET, DATABASE_URL from env)
import http from 'node:http';
import express from 'express';
import pg from 'pg';
import { Webhook } from 'svix';

const mode = process.argv[2];
const port = Number(process.env.PORT);
const POOL_SIZE = 10;

type Handler = (svixId: string, event: Record<string, any>, rawBody: string) => Promise<string>;

interface UserRow {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  image_url: string | null;
  public_metadata: unknown;
  onboarding_complete: boolean;
  role: string | null;
  banned: boolean;
  locked: boolean;
  last_sign_in_at: Date | null;
  last_active_at: Date | null;
  updated_at: Date;
}

function primaryEmail(data: Record<string, any>): string | null {
  const match = (data.email_addresses ?? []).find((entry: { id: string }) => entry.id === data.primary_email_address_id);
  return match?.email_address ?? null;
}

/** A handler as one would write it without a database function: one query per step. */
async function conventionalIngest(pool: pg.Pool, svixId: string, event: Record<string, any>): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const ledger = await client.query(
      'insert into bench.webhook_events (svix_id, event_type, payload) values ($1, $2, $3) on conflict (svix_id) do nothing returning svix_id',
      [svixId, event.type, event],
    );
    if (!ledger.rowCount) {
      await client.query('rollback');
      return 'duplicate';
    }
    const data = event.data ?? {};
    const updatedAt = new Date(Number(data.updated_at));
    const msToDate = (value: unknown) => (typeof value === 'number' ? new Date(value) : null);
    const next = {
      email: primaryEmail(data),
      first_name: data.first_name ?? null,
      last_name: data.last_name ?? null,
      username: data.username ?? null,
      image_url: data.image_url ?? null,
      public_metadata: data.public_metadata ?? {},
      onboarding_complete: data.public_metadata?.onboardingComplete === true,
      role: data.public_metadata?.role ?? null,
      banned: data.banned === true,
      locked: data.locked === true,
      last_sign_in_at: msToDate(data.last_sign_in_at),
      last_active_at: msToDate(data.last_active_at),
    };
    const existing = await client.query<UserRow>(
      `select email, first_name, last_name, username, image_url, public_metadata, onboarding_complete, role, banned, locked,
              last_sign_in_at, last_active_at, updated_at
         from bench.users where id = $1 for update`,
      [data.id],
    );
    const before = existing.rows[0];
    let outcome = 'processed';
    if (before && before.updated_at >= updatedAt) {
      outcome = 'stale';
    } else {
      await client.query(
        `insert into bench.users (id, email, first_name, last_name, username, image_url, public_metadata, onboarding_complete, role,
                                 banned, locked, last_sign_in_at, last_active_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         on conflict (id) do update set email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
           username = excluded.username, image_url = excluded.image_url, public_metadata = excluded.public_metadata,
           onboarding_complete = excluded.onboarding_complete, role = excluded.role, banned = excluded.banned, locked = excluded.locked,
           last_sign_in_at = excluded.last_sign_in_at, last_active_at = excluded.last_active_at, updated_at = excluded.updated_at,
           synced_at = now()`,
        [
          data.id, next.email, next.first_name, next.last_name, next.username, next.image_url, next.public_metadata, next.onboarding_complete,
          next.role, next.banned, next.locked, next.last_sign_in_at, next.last_active_at, new Date(Number(data.created_at)), updatedAt,
        ],
      );
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [column, value] of Object.entries(next)) {
        const previous = before?.[column as keyof UserRow] ?? null;
        if (JSON.stringify(previous) !== JSON.stringify(value)) changes[column] = { from: previous, to: value };
      }
      const request = event.event_attributes?.http_request ?? {};
      await client.query(
        `insert into bench.audit_logs (entity_kind, entity_id, action, changes, svix_id, event_type, client_ip, user_agent, occurred_at)
         values ('user', $1, $2, $3, $4, $5, $6, $7, $8)`,
        [data.id, before ? 'update' : 'create', changes, svixId, event.type, request.client_ip ?? null, request.user_agent ?? null, new Date(Number(event.timestamp ?? Date.now()))],
      );
    }
    await client.query('update bench.webhook_events set processed_at = now(), outcome = $2 where svix_id = $1', [svixId, outcome]);
    await client.query('commit');
    return outcome;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function expressReceiver(handle: Handler | null) {
  const webhook = new Webhook(process.env.WEBHOOK_SECRET!);
  const app = express();
  app.disable('x-powered-by');
  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ready' });
  });
  app.post('/api/webhooks/clerk', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    let event: Record<string, any>;
    try {
      event = webhook.verify(req.body, req.headers as Record<string, string>) as Record<string, any>;
    } catch {
      res.status(400).json({ error: 'invalid signature' });
      return;
    }
    if (!handle) {
      res.json({ status: 'verified' });
      return;
    }
    try {
      res.json({ status: await handle(String(req.headers['svix-id']), event, (req.body as Buffer).toString('utf8')) });
    } catch {
      res.status(503).json({ error: 'database unavailable' });
    }
  });
  return app;
}

function start(): void {
  if (mode === 'node-http') {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}');
      });
    });
    server.listen(port, '127.0.0.1');
    return;
  }
  let handle: Handler | null = null;
  if (mode === 'bare-function' || mode === 'bare-with-ledger' || mode === 'conventional') {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL,
      max: POOL_SIZE,
      options: mode === 'conventional' ? undefined : '-c role=clerk_webhook',
    });
    pool.on('error', () => undefined);
    handle =
      mode === 'conventional'
        ? (svixId, event) => conventionalIngest(pool, svixId, event)
        : async (svixId, _event, rawBody) => {
            const fn = mode === 'bare-function' ? 'bench.bare_ingest' : 'bench.bare_ingest_with_ledger';
            const { rows } = await pool.query<{ result: { status: string } }>(`select ${fn}($1, $2) as result`, [rawBody, svixId]);
            return rows[0].result.status;
          };
  } else if (mode !== 'verify-only') {
    console.error(`unknown mode ${mode}: bare-function, bare-with-ledger, conventional, verify-only or node-http`);
    process.exit(2);
  }
  expressReceiver(handle).listen(port, '127.0.0.1');
}

start();
