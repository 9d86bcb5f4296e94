// Clerk events for tests: the shared fixtures, and delivering them straight to
// app_private.handle_clerk_event as the webhook role (the HTTP route makes exactly this call).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { handleClerkEvent, type HandleClerkEventResult } from '../../server/database/clerkEvents.ts';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'clerk');
// Ids of the objects the sync stores (prefix + KSUID); csub_item before csub, as the longer prefix.
const TAGGED_IDS =
  /\b((?:user|org|orgmem|orginv|orgdmn|role|perm|sess|ema|sms|csub_item|csub|cpayer)_[0-9A-Za-z]{20,})\b/g;

export type ClerkEvent = {
  type: string;
  data: Record<string, any>;
  timestamp?: number;
  [key: string]: unknown;
};

/**
 * The fixture body exactly as stored (the bytes Clerk signed), e.g. `fixtureText('variants/unknown.type')`.
 * With a `tag`, every id of a synced object (user_, org_, orgmem_, orginv_, role_, sess_, … + KSUID) in it gets the suffix `_<tag>`, so tests that commit
 * (or run in parallel) never share rows; nothing else in the bytes changes.
 */
export function fixtureText(name: string, tag?: string): string {
  const text = readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8');
  return tag ? text.replace(TAGGED_IDS, `$1_${tag}`) : text;
}

/** A fresh, mutable copy of a fixture body (ids tagged as in fixtureText). */
export function fixture(name: string, tag?: string): ClerkEvent {
  return JSON.parse(fixtureText(name, tag));
}

/** A short random tag for fixtureText/fixture. */
export function uniqueTag(): string {
  return randomBytes(4).toString('hex');
}

/** The id a fixture's ids get with this tag: `taggedId('user_2xt…', tag)`. */
export function taggedId(id: string, tag?: string): string {
  return tag ? `${id}_${tag}` : id;
}

/**
 * Calls handle_clerk_event as the clerk_webhook role on `client` (inside the caller's
 * transaction) and switches back, so the test can inspect the tables afterwards.
 */
export async function deliverAsWebhook(client: pg.ClientBase, payload: unknown, svixId: string | null = null): Promise<HandleClerkEventResult> {
  await client.query('set local role clerk_webhook');
  try {
    return await handleClerkEvent(client, JSON.stringify(payload), svixId);
  } finally {
    await client.query('reset role');
  }
}

// Every table the sync writes whose rows are keyed by a Clerk id.
const SYNCED_TABLES = [
  'organizations',
  'users',
  'organization_memberships',
  'organization_invitations',
  'organization_domains',
  'roles',
  'permissions',
  'sessions',
  'billing_subscriptions',
  'billing_subscription_items',
];

/**
 * Everything the sync maintains for the rows whose id ends in `_<tag>` (other tests commit rows
 * meanwhile), minus bookkeeping times, as JSON: what convergence compares.
 */
export async function syncedState(client: pg.ClientBase | pg.Pool, tag: string): Promise<Record<string, Array<Record<string, any>>>> {
  const tables = SYNCED_TABLES.map(
    (table) => `(select coalesce(jsonb_agg(to_jsonb(t) - 'synced_at' order by t.id), '[]') from app_public.${table} t where t.id like $1) as ${table}`,
  );
  const { rows } = await client.query(
    `select ${tables.join(',\n')},
            (select coalesce(jsonb_agg(to_jsonb(t) order by t.role_id, t.permission_id), '[]') from app_public.role_permissions t where t.role_id like $1) as role_permissions,
            (select coalesce(jsonb_agg(to_jsonb(t) order by t.entity_kind, t.entity_id), '[]') from app_private.private_metadata t where t.entity_id like $1) as private_metadata`,
    [`%\\_${tag}`],
  );
  return rows[0];
}
