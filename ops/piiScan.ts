// `webhooks pii-scan`: is anything personal about a user still stored? Looks for the values
// everywhere (app_private.pii_scan reads every text and jsonb column of every table), so it checks
// the erasure instead of trusting its list of places.
import type pg from 'pg';

export interface PiiHit {
  table_name: string;
  column_name: string;
  needle: string;
  excerpt: string;
}

export interface PiiScanReport {
  /** Per user id given: the personal values still linked to it (empty once it was erased). */
  linked: Record<string, string[]>;
  /** What was searched for: the values given, and those linked to the user ids given. */
  searched: string[];
  /** Every stored copy of a searched value. */
  hits: PiiHit[];
  /** Per user id given: where the id itself is kept, as a reference (table.column -> rows). */
  references: Record<string, Record<string, number>>;
}

const USER_ID = /^user_[0-9A-Za-z_]+$/;

export async function piiScan(client: pg.ClientBase, identifiers: string[]): Promise<PiiScanReport> {
  const short = identifiers.filter((value) => value.trim().length < 3);
  if (short.length) throw new Error(`each identifier needs at least 3 characters (got ${short.map((value) => JSON.stringify(value)).join(', ')})`);
  const userIds = identifiers.filter((value) => USER_ID.test(value));
  const linked: PiiScanReport['linked'] = {};
  const references: PiiScanReport['references'] = {};
  for (const id of userIds) {
    const { rows } = await client.query<{ value: string }>('select v as value from app_private.user_personal_values($1) as v order by 1', [id]);
    linked[id] = rows.map((row) => row.value);
    const kept = await client.query<{ place: string; rows: number }>(
      `select table_name || '.' || column_name as place, count(distinct row_ctid)::int as rows
         from app_private.pii_scan(array[$1]) group by 1 order by 1`,
      [id],
    );
    references[id] = Object.fromEntries(kept.rows.map((row) => [row.place, row.rows]));
  }
  const searched = [...new Set([...identifiers.filter((value) => !USER_ID.test(value)).map((value) => value.trim()), ...Object.values(linked).flat()])];
  const { rows: hits } = await client.query<PiiHit>(
    'select table_name, column_name, needle, excerpt from app_private.pii_scan($1) order by table_name, column_name, needle',
    [searched],
  );
  return { linked, searched, hits, references };
}
