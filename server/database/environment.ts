// Decides which Postgres the product talks to: the one configured in the environment, or an
// embedded development cluster under the data directory, set up with the same roles.
import pg from 'pg';
import type { Config } from '../config.ts';
import { loadDevSecrets } from '../devSecrets.ts';
import { startEmbeddedPostgres } from './embeddedPostgres.ts';
import { setupDatabase, type DatabaseUrls } from './setup.ts';

export interface DatabaseEnvironment extends Partial<DatabaseUrls> {
  ownerUrl: string;
  authUrl: string;
  embedded: boolean;
  /** Stops the embedded cluster when this process started it. */
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'clerk_pg_sync';
const EMBEDDED_OWNER = 'clerk_pg_sync';
const EMBEDDED_AUTHENTICATOR = 'clerk_pg_sync_authenticator';

export function withLogin(rootUrl: string, user: string, password: string, database: string): string {
  const url = new URL(rootUrl);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

/** A connection string fit for a log or an error: the password is left out. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * Connects once to the database named by `variable`, so that a wrong host, password or database
 * name stops the start with an error that says which URL failed (without its password).
 */
export async function checkConnection(variable: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code : String(error);
    throw new Error(`cannot connect to ${variable} (${withoutPassword(url)}): ${reason}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function resolveDatabase(config: Config, log: (line: string) => void): Promise<DatabaseEnvironment> {
  const { database } = config;
  if (database.url && database.authUrl) {
    return {
      rootUrl: database.rootUrl,
      ownerUrl: database.url,
      authUrl: database.authUrl,
      shadowUrl: database.shadowUrl,
      embedded: false,
      stop: async () => undefined,
    };
  }
  const { secrets } = loadDevSecrets(database.dataDir);
  const cluster = await startEmbeddedPostgres({
    dataDir: database.dataDir,
    port: database.embeddedPort,
    superuserPassword: secrets.postgresPassword,
    log,
  });
  const urls: DatabaseUrls = {
    rootUrl: cluster.rootUrl,
    ownerUrl: withLogin(cluster.rootUrl, EMBEDDED_OWNER, secrets.ownerPassword, EMBEDDED_DATABASE),
    authUrl: withLogin(cluster.rootUrl, EMBEDDED_AUTHENTICATOR, secrets.authenticatorPassword, EMBEDDED_DATABASE),
    shadowUrl: withLogin(cluster.rootUrl, EMBEDDED_OWNER, secrets.ownerPassword, `${EMBEDDED_DATABASE}_shadow`),
  };
  try {
    await setupDatabase(urls, log);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { ...urls, embedded: true, stop: cluster.stop };
}
