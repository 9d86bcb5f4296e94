// Decides which Postgres the product talks to: the one configured in the environment, or an
// embedded development cluster under the data directory, set up with the same roles.
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
