// `clerk backfill` as a function of its options: configuration, the owner connection (the
// configured DATABASE_URL or the embedded development database), the Backend API client, the
// progress view, the summary. ops/clerk.ts only parses the command line.
import pg from 'pg';
import { createBackendApi, DEFAULT_RETRY_POLICY, describeClerkError } from '../../server/clerk/backendApi.ts';
import { loadConfig } from '../../server/config.ts';
import { resolveDatabase } from '../../server/database/environment.ts';
import { committedMigrations, pendingMigrationReason } from '../../server/database/migrations.ts';
import { runBackfill, type BackfillSummary } from './backfill.ts';
import { FAMILIES, type FamilyName } from './families.ts';
import { parseSince } from '../ledger.ts';
import { createProgressView, formatSummary } from './progress.ts';

export interface BackfillCommandOptions {
  only?: string;
  resume?: boolean;
  reconcile?: boolean;
  dryRun?: boolean;
  json?: boolean;
  pageSize?: string;
  /** A time (ISO 8601) or an age (30m, 12h, 7d). */
  since?: string;
}

export class UsageError extends Error {}

export function parseFamilies(only: string | undefined): FamilyName[] {
  if (!only) return [...FAMILIES];
  const wanted = only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = wanted.filter((name) => !(FAMILIES as readonly string[]).includes(name));
  if (unknown.length || !wanted.length) {
    throw new UsageError(`--only takes a comma-separated list of ${FAMILIES.join(', ')} (got: ${unknown.join(', ') || 'nothing'})`);
  }
  return FAMILIES.filter((family) => wanted.includes(family));
}

export async function backfillCommand(options: BackfillCommandOptions): Promise<BackfillSummary> {
  const config = loadConfig();
  if (!config.clerk.secretKey) throw new UsageError('CLERK_SECRET_KEY is required: the backfill reads Clerk\'s Backend API with it');
  if (options.dryRun && options.resume) throw new UsageError('--dry-run starts a fresh report; it cannot be combined with --resume');
  const families = parseFamilies(options.only);
  const pageSize = options.pageSize === undefined ? undefined : Number(options.pageSize);
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 500)) {
    throw new UsageError('--page-size must be an integer from 1 to 500');
  }

  let since: string | undefined;
  if (options.since !== undefined) {
    try {
      since = parseSince(options.since).toISOString();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (options.reconcile) throw new UsageError('--since lists only what changed, and --reconcile needs the full listing: run them separately (e.g. --since nightly, --reconcile weekly)');
    if (options.resume) throw new UsageError('--resume continues a run with the cutoff it started with; leave out --since');
  }

  const view = createProgressView();
  const database = await resolveDatabase(config, () => undefined);
  const db = new pg.Pool({ connectionString: database.ownerUrl, max: 2 });
  db.on('error', () => undefined);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    view.stop();
    process.stderr.write('\ninterrupted: committed batches are kept; continue with `clerk backfill --resume`\n');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const pending = await pendingMigrationReason(db, committedMigrations());
    if (pending) throw new UsageError(`the database is not migrated (${pending}): run \`npm run db:migrate\` first`);
    const summary = await runBackfill(
      { families, resume: Boolean(options.resume), reconcile: Boolean(options.reconcile), dryRun: Boolean(options.dryRun), ...(since && { since }) },
      {
        api: createBackendApi({ secretKey: config.clerk.secretKey, apiUrl: config.clerk.apiUrl }),
        db,
        pageSize,
        retry: {
          ...DEFAULT_RETRY_POLICY,
          onRetry: ({ what, attempt, delayMs, reason }) => view.notice(`${what}: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`),
        },
        onProgress: (progress) => view.update(progress),
        onNotice: (line) => view.notice(line),
      },
    );
    view.stop();
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    return summary;
  } catch (error) {
    view.stop();
    if (!interrupted && !(error instanceof UsageError)) {
      const hint = options.dryRun ? '' : ' (progress is saved; continue with `clerk backfill --resume`)';
      throw new Error(`backfill stopped: ${describeClerkError(error)}${hint}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db.end();
    await database.stop();
  }
}
