// graphile-migrate driven from code, so `npm start`, the db: scripts and the tests all apply
// migrations the same way, with the connection strings resolved by resolveDatabase.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import * as graphileMigrate from 'graphile-migrate';
import type pg from 'pg';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import type { DatabaseUrls } from './setup.ts';

const PROJECT_ROOT = process.cwd();
export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'migrations');

type MigrateSettings = Parameters<typeof graphileMigrate.migrate>[0];

export function migrationSettings(urls: Partial<DatabaseUrls> & { ownerUrl: string; authUrl: string }, log?: (line: string) => void): MigrateSettings {
  const gmrc = JSON5.parse(readFileSync(path.join(PROJECT_ROOT, '.gmrc'), 'utf8'));
  const authenticator = decodeURIComponent(new URL(urls.authUrl).username);
  const settings: MigrateSettings = {
    ...gmrc,
    migrationsFolder: MIGRATIONS_FOLDER,
    connectionString: urls.ownerUrl,
    shadowConnectionString: urls.shadowUrl,
    rootConnectionString: urls.rootUrl,
    placeholders: { ...gmrc.placeholders, ':DATABASE_AUTHENTICATOR': `"${authenticator.replace(/"/g, '""')}"` },
  };
  if (log) {
    settings.logger = new graphileMigrate.Logger(() => (_level, message) => log(message));
  }
  return settings;
}

/**
 * Committed migrations on disk, oldest first, named as graphile-migrate records them in
 * graphile_migrate.migrations: `000002.sql` also for a file committed with a message
 * (`000002-some-message.sql`).
 */
export function committedMigrations(): string[] {
  return readdirSync(path.join(MIGRATIONS_FOLDER, 'committed'))
    .filter((name) => /^\d{6}.*\.sql$/.test(name))
    .map((name) => `${name.slice(0, 6)}.sql`)
    .sort();
}

/** Why the database is behind the code, or null when every committed migration is applied. */
export async function pendingMigrationReason(owner: pg.Pool | pg.Client, expected: string[]): Promise<string | null> {
  const { rows } = await owner.query<{ filename: string }>(
    `select filename from graphile_migrate.migrations order by filename`,
  );
  const applied = new Set(rows.map((row) => row.filename));
  const missing = expected.filter((name) => !applied.has(name));
  return missing.length ? `${missing.length} migration(s) not applied: ${missing.join(', ')}` : null;
}

/**
 * Applies the committed migrations. graphile-migrate keeps its pool for a moment after use and
 * exits the process if a pooled connection then breaks (as when the embedded Postgres stops
 * right after), so its pools are released before returning.
 */
export async function applyMigrations(urls: Partial<DatabaseUrls> & { ownerUrl: string; authUrl: string }, log?: (line: string) => void): Promise<void> {
  try {
    await graphileMigrate.migrate(migrationSettings(urls, log));
  } finally {
    clearAllPools();
  }
}
