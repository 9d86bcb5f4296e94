// `npm run webhooks -- <command>`: send signed test deliveries, read or replay the ledger, and check
// that nothing personal about a deleted user is left.
import '../server/environmentFile.ts'; // first: .env / ENV_FILE before anything reads the environment
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { countEvents, failedSince, ledgerStats, listEvents, parseSince, payloadKeys, replayEvent, withOwnerConnection, type LedgerRow, type ReplayResult } from './ledger.ts';
import { pruneLedger } from '../server/database/ledgerRetention.ts';
import { piiScan } from './piiScan.ts';
import { planMessages, resolveFixtures, resolveSigningSecret, sendMessage, type SendResult } from './send.ts';

// The server's route (server/app.ts); not imported, so the CLI does not load the whole app.
const WEBHOOK_PATH = '/api/webhooks/clerk';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
}

function positiveIntegerOf(name: string, value: string): number {
  try {
    return positiveInteger(value);
  } catch (error) {
    throw new Error(`${name} ${(error as Error).message} (got "${value}")`);
  }
}

function since(value: string): Date {
  try {
    return parseSince(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const iso = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${count} ${value}`).join(', ');
}

const program = new Command('webhooks')
  .description('Send signed Clerk deliveries to a running server, and inspect or replay the webhook ledger.')
  .option('--verbose', 'show how the database was reached')
  .showHelpAfterError('(run with --help for usage)');

const dbLog = (line: string) => {
  if (program.opts().verbose) console.error(`  db: ${line}`);
};

program
  .command('send')
  .description('sign payloads exactly as Svix does and POST them (local testing without a tunnel)')
  .argument('<fixtures...>', 'a fixture file, a folder of them (sent oldest event first), or an event type such as user.created (test/fixtures/clerk/<type>.json)')
  .option('--url <url>', 'the webhook endpoint', `http://localhost:${process.env.PORT ?? 3000}${WEBHOOK_PATH}`)
  .option('--secret <whsec>', 'signing secret (default: CLERK_WEBHOOK_SIGNING_SECRET, else the development secret in $DATA_DIR/dev-secrets.json, .data/ by default)')
  .option('--shuffle', 'send in random order, to rehearse out-of-order delivery')
  .option('--repeat <n>', 'send each payload n times under the same svix-id, to rehearse duplicate delivery', positiveInteger, 1)
  .action(async (targets: string[], options: { url: string; secret?: string; shuffle?: boolean; repeat: number }) => {
    const secret = resolveSigningSecret(options.secret);
    const messages = planMessages(resolveFixtures(targets), { repeat: options.repeat, shuffle: Boolean(options.shuffle) });
    const results: SendResult[] = [];
    for (const message of messages) {
      const result = await sendMessage(options.url, secret, message);
      results.push(result);
      const detail = result.detail ? `  (${result.detail})` : '';
      console.log(`${result.status} ${result.answer.padEnd(10)} ${message.fixture.type.padEnd(36)} ${message.svixId}  ${path.relative(process.cwd(), message.fixture.file)}${detail}`);
    }
    const refused = results.filter((result) => result.status < 200 || result.status >= 300);
    console.log(`sent ${results.length} to ${options.url}: ${tally(results.map((result) => (result.status < 300 ? result.answer : `HTTP ${result.status}`)))}`);
    if (refused.length) process.exitCode = 1;
  });

program
  .command('list')
  .description('the ledger, newest first')
  .option('--failed', 'only deliveries whose processing failed')
  .option('--since <time>', 'received at or after: a date/time or an age (30m, 12h, 7d)', since)
  .option('--limit <n>', 'at most n rows', positiveInteger, 50)
  .option('--json', 'one JSON object per line')
  .action(async (options: { failed?: boolean; since?: Date; limit: number; json?: boolean }) => {
    const filters = { failed: Boolean(options.failed), since: options.since };
    const { rows, total } = await withOwnerConnection(
      async (client) => {
        // One snapshot for both, so deliveries arriving meanwhile do not look like rows cut by --limit.
        await client.query('begin isolation level repeatable read read only');
        const listed = { rows: await listEvents(client, { ...filters, limit: options.limit }), total: await countEvents(client, filters) };
        await client.query('commit');
        return listed;
      },
      dbLog,
    );
    const cut = total > rows.length ? `showing ${rows.length} of ${total} (--limit)` : null;
    if (options.json) {
      for (const row of rows) console.log(JSON.stringify(row));
      if (cut) console.error(cut);
      return;
    }
    if (!rows.length) {
      console.log(`no ${options.failed ? 'failed ' : ''}deliveries in the ledger${options.since ? ` since ${iso(options.since)}` : ''}`);
      return;
    }
    const line = (row: LedgerRow) => [
      iso(row.received_at),
      row.outcome,
      row.event_type ?? '-',
      row.object_id ?? '-',
      row.svix_id,
      // Every time the event reached the database: Svix's deliveries (duplicates included) and replays.
      String(row.attempts + row.duplicates),
      row.error_message ? row.error_message.slice(0, 100) : '',
    ];
    console.log(table([['received', 'outcome', 'type', 'object', 'svix-id', 'attempts', 'error'], ...rows.map(line)]));
    if (cut) console.log(cut);
  });

program
  .command('replay')
  .description('reprocess ledger events through app_private.replay_webhook_event (a processed event stays a no-op)')
  .argument('[svix-id]', 'the event to replay')
  .option('--failed', 'replay every failed event (oldest first)')
  .option('--since <time>', 'with --failed: only those received at or after this date/time or age (30m, 12h, 7d)', since)
  .action(async (svixId: string | undefined, options: { failed?: boolean; since?: Date }) => {
    if (Boolean(svixId) === Boolean(options.failed)) throw new Error('name one svix-id, or pass --failed (optionally with --since)');
    if (options.since && !options.failed) throw new Error('--since applies to --failed only');
    const results = await withOwnerConnection(async (client) => {
      const ids = svixId ? [svixId] : await failedSince(client, options.since);
      const done: ReplayResult[] = [];
      for (const id of ids) {
        const result = await replayEvent(client, id);
        done.push(result);
        console.log(`${id}  ${result.error ? `error: ${result.error}` : JSON.stringify(result.result)}`);
      }
      return done;
    }, dbLog);
    if (!results.length) {
      console.log(`no failed deliveries${options.since ? ` since ${iso(options.since)}` : ''}: nothing to replay`);
      return;
    }
    const outcomes = results.map((result) => (result.error ? 'error' : String(result.result?.status ?? 'unknown')));
    console.log(`replayed ${results.length}: ${tally(outcomes)}`);
    if (outcomes.some((outcome) => outcome === 'error' || outcome === 'failed' || outcome === 'not_found')) process.exitCode = 1;
  });

program
  .command('stats')
  .description('ledger counts by type and outcome, and the oldest failed or unprocessed delivery')
  .option('--json', 'as one JSON object')
  .action(async (options: { json?: boolean }) => {
    const stats = await withOwnerConnection(ledgerStats, dbLog);
    if (options.json) {
      console.log(JSON.stringify(stats));
      return;
    }
    if (!stats.counts.length) {
      console.log('the ledger is empty');
      return;
    }
    const outcomes = [...new Set(stats.counts.map((row) => row.outcome))].sort();
    const types = [...new Set(stats.counts.map((row) => row.event_type ?? '(none)'))];
    const count = (type: string, outcome: string) =>
      stats.counts.filter((row) => (row.event_type ?? '(none)') === type && row.outcome === outcome).reduce((sum, row) => sum + row.count, 0);
    const rows = types.map((type) => [type, ...outcomes.map((outcome) => String(count(type, outcome))), String(outcomes.reduce((sum, outcome) => sum + count(type, outcome), 0))]);
    const totals = outcomes.map((outcome) => types.reduce((sum, type) => sum + count(type, outcome), 0));
    rows.push(['total', ...totals.map(String), String(totals.reduce((a, b) => a + b, 0))]);
    console.log(table([['type', ...outcomes, 'total'], ...rows]));
    const describe = (event: { svix_id: string; event_type: string | null; received_at: Date } | null) =>
      event ? `${iso(event.received_at)} ${event.event_type ?? '-'} ${event.svix_id}` : 'none';
    console.log(`\noldest failed:      ${describe(stats.oldestFailed)}`);
    console.log(`oldest unprocessed: ${describe(stats.oldestUnprocessed)}`);
  });

program
  .command('pii-scan')
  .description('search every text and jsonb column of every table for a user\'s personal data (exit code 1 when any is found)')
  .argument('<identifiers...>', 'a Clerk user id (searches for the personal values still linked to it), or an email address, phone number, name … (at least 3 characters)')
  .option('--json', 'the report as one JSON object')
  .action(async (identifiers: string[], options: { json?: boolean }) => {
    const report = await withOwnerConnection((client) => piiScan(client, identifiers), dbLog);
    if (report.hits.length || Object.values(report.linked).some((values) => values.length)) process.exitCode = 1;
    if (options.json) {
      console.log(JSON.stringify(report));
      return;
    }
    for (const [id, values] of Object.entries(report.linked)) {
      console.log(values.length ? `${id}: ${values.length} personal values still linked: ${values.join(', ')}` : `${id}: no personal values linked to this id`);
      const kept = Object.entries(report.references[id]).map(([place, rows]) => `${place} (${rows})`);
      console.log(`  the id itself is kept as a reference in: ${kept.length ? kept.join(', ') : 'nothing'}`);
    }
    if (!report.searched.length) {
      console.log('nothing to search for');
      return;
    }
    if (!report.hits.length) {
      console.log(`no stored copy of ${report.searched.map((value) => JSON.stringify(value)).join(', ')} in any table`);
      return;
    }
    const oneLine = (text: string) => text.replace(/\s+/g, ' ');
    console.log(table([['table', 'column', 'found', 'excerpt'], ...report.hits.map((hit) => [hit.table_name, hit.column_name, hit.needle, oneLine(hit.excerpt)])]));
    console.log(`personal data found: ${report.hits.length} stored copies in ${new Set(report.hits.map((hit) => `${hit.table_name}.${hit.column_name}`)).size} columns`);
  });

program
  .command('shapes')
  .description("the top-level data keys each Clerk event type has carried, when each was first and last seen, and drift")
  .argument('[event-type]', 'only this type (e.g. user.updated)')
  .option('--json', 'as JSON lines')
  .action(async (eventType: string | undefined, options: { json?: boolean }) => {
    const rows = await withOwnerConnection((client) => payloadKeys(client, eventType), dbLog);
    if (options.json) {
      for (const row of rows) console.log(JSON.stringify(row));
      return;
    }
    if (!rows.length) {
      console.log(eventType ? `no deliveries of ${eventType} seen yet` : 'no deliveries seen yet');
      return;
    }
    const status = (row: (typeof rows)[number]) => (!row.in_latest_shape ? 'missing from the latest shape' : row.last_change === 'added' ? 'added' : '');
    console.log(table([['type', 'key', 'first seen', 'last seen', 'drift'], ...rows.map((row) => [row.event_type, row.key, iso(row.first_seen), iso(row.last_seen), status(row)])]));
  });

program
  .command('prune')
  .description("create the coming months' ledger partitions and drop those older than the retention (whole partitions, never a DELETE)")
  .option('--dry-run', 'say what would be created and dropped; change nothing')
  .option('--retention-days <n>', 'keep deliveries this many days (default: WEBHOOK_PAYLOAD_RETENTION_DAYS, else 90)', positiveInteger)
  .option('--json', 'the actions as one JSON object')
  .action(async (options: { dryRun?: boolean; retentionDays?: number; json?: boolean }) => {
    // The server's variable, read alone: the command needs none of the server's other settings.
    const fromEnvironment = process.env.WEBHOOK_PAYLOAD_RETENTION_DAYS;
    const retentionDays = options.retentionDays ?? (fromEnvironment === undefined ? 90 : positiveIntegerOf('WEBHOOK_PAYLOAD_RETENTION_DAYS', fromEnvironment));
    const { actions, durationMs } = await withOwnerConnection((client) => pruneLedger(client, { retentionDays, dryRun: Boolean(options.dryRun) }), dbLog);
    if (options.json) {
      console.log(JSON.stringify({ retentionDays, dryRun: Boolean(options.dryRun), durationMs: Math.round(durationMs), actions }));
      return;
    }
    if (actions.some((action) => action.action === 'skipped')) {
      console.log('another maintenance run holds the ledger lock (a server replica, or another prune): nothing done');
      return;
    }
    const verb = (action: string) => (options.dryRun ? `would ${action}` : action === 'create' ? 'created' : 'dropped');
    if (actions.length) {
      console.log(table([
        ['action', 'partition', 'from', 'to', 'rows (estimated)'],
        ...actions.map((action) => [verb(action.action), action.partition_name ?? '-', iso(action.range_start), iso(action.range_end), String(action.estimated_rows ?? '-')]),
      ]));
    }
    const count = (kind: string) => actions.filter((action) => action.action === kind).length;
    console.log(`${options.dryRun ? 'dry run: would create' : 'created'} ${count('create')}, ${options.dryRun ? 'would drop' : 'dropped'} ${count('drop')} partitions (retention ${retentionDays} days) in ${Math.round(durationMs)} ms`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`webhooks: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
