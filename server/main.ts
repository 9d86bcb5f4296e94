// Entry point of `npm start`: validate configuration, find or start the database, migrate,
// serve, and shut down in order (stop accepting, drain, close pools, stop Postgres).
import type { Server, ServerResponse } from 'node:http';
import { createApp } from './app.ts';
import { startupBanner, type WebhookSecretSource } from './banner.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { resolveDatabase, type DatabaseEnvironment } from './database/environment.ts';
import { applyMigrations, committedMigrations } from './database/migrations.ts';
import { createPools, type DatabasePools } from './database/pools.ts';
import { loadDevSecrets } from './devSecrets.ts';
import { sessionTokenPublicKey } from './devSessionToken.ts';
import { createLogger, type Logger } from './logger.ts';

/** Outside production a missing webhook secret is replaced by a stable generated one. */
function ensureWebhookSecret(config: Config, logger: Logger): WebhookSecretSource {
  if (config.clerk.webhookSecrets.length) return { kind: 'environment' };
  const { secrets, generated } = loadDevSecrets(config.database.dataDir);
  config.clerk.webhookSecrets = [secrets.webhookSigningSecret];
  if (generated.includes('webhookSigningSecret')) {
    logger.warn('CLERK_WEBHOOK_SIGNING_SECRET is not set: generated a development secret (kept in .data/dev-secrets.json, printed only this once)');
    return { kind: 'generated', secret: secrets.webhookSigningSecret };
  }
  logger.warn('CLERK_WEBHOOK_SIGNING_SECRET is not set: using the development secret from .data/dev-secrets.json');
  return { kind: 'stored' };
}

/**
 * Outside production, with no way to verify Clerk's tokens configured, session tokens are
 * verified with the development key that `npm run dev:token` signs with.
 */
function ensureSessionTokenKey(config: Config, logger: Logger): boolean {
  if (config.production || config.clerk.jwtKey || config.clerk.secretKey) return false;
  const { secrets } = loadDevSecrets(config.database.dataDir);
  config.clerk.jwtKey = sessionTokenPublicKey(secrets.sessionTokenPrivateKey);
  logger.warn('CLERK_JWT_KEY and CLERK_SECRET_KEY are not set: /graphql verifies development tokens (npm run dev:token) with the key in .data/dev-secrets.json');
  return true;
}

function listen(app: ReturnType<typeof createApp>, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** Responses not yet answered; shutdown needs them because keep-alive connections outlive close(). */
function trackResponses(server: Server): Set<ServerResponse> {
  const open = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  return open;
}

/**
 * Stops accepting connections and lets every request already received finish. A keep-alive
 * client could keep sending on its open connection while we drain, so each answer given from
 * now on carries `Connection: close` and the connection ends after it. Requests still running
 * after the timeout lose their connection: their client sees no answer (never a 2xx for work
 * that did not commit) and Svix retries.
 */
async function closeServer(server: Server, open: Set<ServerResponse>, timeoutMs: number): Promise<void> {
  const closeAfterAnswer = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  open.forEach(closeAfterAnswer);
  server.prependListener('request', (_req, res: ServerResponse) => closeAfterAnswer(res));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const forced = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(forced);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger();
  const webhookSecret = ensureWebhookSecret(config, logger);
  const developmentTokens = ensureSessionTokenKey(config, logger);

  let database: DatabaseEnvironment | undefined;
  let pools: DatabasePools | undefined;
  let server: Server | undefined;
  let openResponses = new Set<ServerResponse>();
  let stopping = false;
  let started = false;
  const teardown = async () => {
    try {
      if (server) await closeServer(server, openResponses, config.shutdownTimeoutMs);
      await pools?.end();
      await database?.stop();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'shutdown did not complete cleanly');
      process.exitCode = 1;
    }
    process.exit();
  };
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // During start-up the teardown waits until what is being started exists.
    if (started) void teardown();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  database = await resolveDatabase(config, (line) => logger.info(line));
  await applyMigrations(database, (line) => logger.info(line));
  pools = createPools(database, logger);
  const app = createApp({ config, logger, pools, expectedMigrations: committedMigrations() });
  server = await listen(app, config);
  openResponses = trackResponses(server);
  logger.info(
    { port: config.port, database: database.embedded ? `embedded Postgres (${config.database.dataDir})` : 'external' },
    `clerk-pg-sync listening on http://localhost:${config.port}`,
  );
  if (!config.production) console.log(startupBanner(config, database, webhookSecret, developmentTokens));
  started = true;
  if (stopping) await teardown();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`clerk-pg-sync could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
