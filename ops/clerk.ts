// `npm run clerk -- <command>`: operator commands against Clerk and the database.
import '../server/environmentFile.ts'; // first: .env / ENV_FILE before anything reads the environment
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../server/config.ts';
import { backfillCommand, UsageError } from './backfill/command.ts';
import { FAMILIES } from './backfill/families.ts';

const program = new Command('clerk').description('clerk-pg-sync operator commands').showHelpAfterError();

program
  .command('backfill')
  .description(
    "Page Clerk's Backend API and feed every object through app_private.handle_clerk_event as a synthesized event: " +
      'newer data already held is kept, a rerun changes nothing, progress is checkpointed in the database.',
  )
  .option('--only <families>', `comma-separated subset of ${FAMILIES.join(',')}`)
  .option('--resume', 'continue the newest interrupted run where it stopped (starts a new run when there is none)')
  .option('--reconcile', 'also mark deleted the users, organizations and memberships the database holds but Clerk no longer has')
  .option('--since <time>', 'only objects changed at or after this date/time or age (30m, 12h, 7d): a quick self-heal; not with --reconcile')
  .option('--dry-run', 'report what would change (created/updated/stale/unchanged/deleted) without writing synced data')
  .option('--json', 'print the summary as JSON on stdout')
  .option('--page-size <n>', 'objects per Backend API request (1-500, default 500)', (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
    return value;
  })
  .action(async (options) => {
    await backfillCommand(options);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof UsageError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`clerk: ${message}\n`);
  process.exit(error instanceof UsageError || error instanceof ConfigError ? 2 : 1);
});
