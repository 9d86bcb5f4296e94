// `npm run db:<command>`: graphile-migrate and role setup against the configured database, or
// against the embedded development Postgres when DATABASE_URL is unset.
import '../server/environmentFile.ts'; // first: .env / ENV_FILE before anything reads the environment
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { ConfigError, loadConfig } from '../server/config.ts';
import { checkConnection, resolveDatabase } from '../server/database/environment.ts';
import { applyMigrations, migrationSettings } from '../server/database/migrations.ts';
import { setupDatabase } from '../server/database/setup.ts';
import { checkSchemaFile, writeSchemaFile } from './schemaDump.ts';

const USAGE = `usage: npm run db:<command>
  db:setup    create the roles and databases (needs ROOT_DATABASE_URL with an external database)
  db:migrate  apply committed migrations
  db:reset    drop and recreate the database from committed migrations (development only)
  db:watch    apply migrations/current.sql on every change
  db:commit   turn migrations/current.sql into a committed migration
  db:status   show pending migrations and whether current.sql holds uncommitted work
  db:check    fail when migrations/current.sql holds uncommitted work (CI)
  db:schema   regenerate db/schema.sql (db:commit and db:reset do it too)
  db:schema:check  fail when db/schema.sql is not what the migrations build (CI)`;

/** After a commit or a reset: the schema file follows; a machine without PostgreSQL 15 is told how. */
async function regenerateSchemaFile(log: (line: string) => void): Promise<void> {
  try {
    if (await writeSchemaFile(log)) console.log('db/schema.sql regenerated: commit it with the migration');
  } catch (error) {
    console.error(`db/schema.sql was not regenerated: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

/** A shadow database name for commands that never connect to it. */
function unusedShadowUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.pathname = `${url.pathname}_shadow`;
  return url.toString();
}

async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  const log = (line: string) => console.log(line);
  if (command === 'check') {
    const status = await graphileMigrate.status(migrationSettings({ ownerUrl: 'postgres://offline@localhost/offline', authUrl: 'postgres://offline_auth@localhost/offline', shadowUrl: 'postgres://offline@localhost/offline_shadow' }), { skipDatabase: true });
    if (status.hasCurrentMigration) throw new Error('migrations/current.sql holds uncommitted work: run `npm run db:commit` and commit the result');
    console.log('migrations/current.sql is empty');
    return;
  }
  if (command === 'schema') {
    console.log((await writeSchemaFile(log)) ? 'db/schema.sql regenerated' : 'db/schema.sql is up to date');
    return;
  }
  if (command === 'schema-check') {
    await checkSchemaFile(log);
    console.log('db/schema.sql matches the migrations');
    return;
  }
  const database = await resolveDatabase(config, log);
  try {
    if (!database.embedded) {
      if (command === 'setup' && database.rootUrl) await checkConnection('ROOT_DATABASE_URL', database.rootUrl);
      else if (command !== 'setup') await checkConnection('DATABASE_URL', database.ownerUrl);
    }
    // graphile-migrate validates a shadow database for every command, though only db:commit and
    // db:reset use one: db:status against a production database needs no SHADOW_DATABASE_URL.
    const shadowUrl = database.shadowUrl ?? (command === 'status' ? unusedShadowUrl(database.ownerUrl) : undefined);
    const settings = migrationSettings({ ...database, shadowUrl }, log);
    switch (command) {
      case 'setup':
        if (!database.rootUrl) throw new Error('ROOT_DATABASE_URL is required for db:setup');
        if (!database.embedded) await setupDatabase({ ...database, rootUrl: database.rootUrl }, log);
        break;
      case 'migrate':
        await applyMigrations(database, log);
        break;
      case 'reset':
        if (config.production) throw new Error('db:reset erases the database; refusing with NODE_ENV=production');
        await graphileMigrate.reset(settings);
        await regenerateSchemaFile(log);
        break;
      case 'watch':
        await graphileMigrate.watch(settings, process.argv.includes('--once'));
        break;
      case 'commit':
        await graphileMigrate.commit(settings, process.argv[3]);
        await regenerateSchemaFile(log);
        break;
      case 'status': {
        const status = await graphileMigrate.status(settings);
        console.log(`pending committed migrations: ${status.remainingMigrations?.length ? status.remainingMigrations.join(', ') : 'none'}`);
        console.log(`current.sql: ${status.hasCurrentMigration ? 'holds uncommitted work' : 'empty'}`);
        break;
      }
      default:
        console.error(USAGE);
        process.exitCode = 2;
    }
  } finally {
    if (command !== 'watch' || process.argv.includes('--once')) {
      // graphile-migrate keeps its pools open for a moment: release them now, so the embedded
      // Postgres (which waits for their connections to leave) stops at once.
      clearAllPools();
      await database.stop();
    }
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
