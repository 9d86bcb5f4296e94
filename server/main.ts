// Entry point of `npm start`: validate configuration, find or start the database, migrate,
// serve, and shut down in order (stop accepting, drain, close pools, stop Postgres).
import './environmentFile.ts'; // first: .env / ENV_FILE before anything reads the environment
import { createServer, type Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import express from 'express';
import path from 'node:path';
import { createApp, type App } from './app.ts';
import { startupBanner } from './banner.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { checkConnection, resolveDatabase, type DatabaseEnvironment } from './database/environment.ts';
import { applyMigrations, committedMigrations } from './database/migrations.ts';
import { scheduleLedgerMaintenance, type LedgerMaintenance } from './database/ledgerRetention.ts';
import { startLiveRelay, type LiveRelay } from './database/liveChanges.ts';
import { createPools, type DatabasePools } from './database/pools.ts';
import { createLogger, type Logger } from './logger.ts';

/** Where the development secrets live, as the operator would type it (relative when inside the project). */
function devSecretsFile(config: Config): string {
  const file = path.join(config.database.dataDir, 'dev-secrets.json');
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** Says which development defaults loadConfig filled in. */
function warnAboutDevelopmentDefaults(config: Config, logger: Logger): void {
  const { webhookSecret, developmentTokens } = config.sources;
  if (webhookSecret.kind === 'generated') {
    logger.warn(`CLERK_WEBHOOK_SIGNING_SECRET is not set: generated a development secret (kept in ${devSecretsFile(config)}, printed only this once)`);
  } else if (webhookSecret.kind === 'stored') {
    logger.warn(`CLERK_WEBHOOK_SIGNING_SECRET is not set: using the development secret from ${devSecretsFile(config)}`);
  }
  if (developmentTokens) {
    logger.warn(`CLERK_JWT_KEY and CLERK_SECRET_KEY are not set: /graphql verifies development tokens (npm run dev:token) with the key in ${devSecretsFile(config)}`);
  }
}

/**
 * `npm start -- --only webhooks|graphql` runs one side of the product (SERVE_ONLY does the same),
 * so a deployment can scale and isolate them; without it one process serves both.
 */
function environmentWithArguments(argv: string[]): NodeJS.ProcessEnv {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' } }, strict: true });
  return values.only === undefined ? process.env : { ...process.env, SERVE_ONLY: values.only };
}

/**
 * A slow client is cut once receiving its request (headers, then the whole body) takes longer than
 * the limits; Node checks them every second instead of every 30.
 */
function listen(app: express.Express, port: number, config: Config): Promise<Server> {
  const server = createServer(
    { requestTimeout: config.http.requestTimeoutMs, headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    app,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => {
      server.off('error', reject);
      resolve(server);
    });
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
  const config = loadConfig(environmentWithArguments(process.argv.slice(2)), { developmentDefaults: true });
  const logger = createLogger();
  warnAboutDevelopmentDefaults(config, logger);

  let database: DatabaseEnvironment | undefined;
  let pools: DatabasePools | undefined;
  let maintenance: LedgerMaintenance | undefined;
  let relay: LiveRelay | undefined;
  let server: Server | undefined;
  let app: App | undefined;
  let metricsServer: Server | undefined;
  let openResponses = new Set<ServerResponse>();
  let stopping = false;
  let started = false;
  const teardown = async () => {
    try {
      // Websockets first: their upgraded connections would otherwise keep the server open.
      await app?.websockets.close();
      if (server) await closeServer(server, openResponses, config.shutdownTimeoutMs);
      if (metricsServer) await closeServer(metricsServer, new Set(), config.shutdownTimeoutMs);
      maintenance?.stop();
      await relay?.stop();
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
  if (!database.embedded) {
    await checkConnection('DATABASE_URL', database.ownerUrl);
    await checkConnection('AUTH_DATABASE_URL', database.authUrl);
  }
  await applyMigrations(database, (line) => logger.info(line));
  pools = createPools(database, logger, { instanceIds: config.clerk.instanceIds, webhookPoolSize: config.webhookPoolSize });
  maintenance = scheduleLedgerMaintenance({
    pool: pools.owner,
    retentionDays: config.ledger.payloadRetentionDays,
    intervalHours: config.ledger.pruneIntervalHours,
    logger,
    onRun: (run) => pools!.events.emit('ledgerMaintenance', run),
  });
  // Every process relays, whatever it serves: the queue must drain even where no process serves
  // GraphQL, and the function lets one process at a time through.
  relay = startLiveRelay({ pool: pools.webhook, intervalMs: config.live.relayIntervalMs, logger });
  const metricsApp = config.metricsPort === undefined ? undefined : express();
  app = await createApp({ config, logger, pools, expectedMigrations: committedMigrations() }, metricsApp);
  server = await listen(app, config.port, config);
  app.websockets.attach(server);
  openResponses = trackResponses(server);
  if (metricsApp) metricsServer = await listen(metricsApp, config.metricsPort!, config);
  const serving = config.serve.webhooks && config.serve.graphql ? 'webhooks and graphql' : config.serve.webhooks ? 'webhooks only' : 'graphql only';
  logger.info(
    { port: config.port, metricsPort: config.metricsPort, serving, database: database.embedded ? `embedded Postgres (${config.database.dataDir})` : 'external' },
    `clerk-pg-sync listening on http://localhost:${config.port} (${serving})`,
  );
  if (!config.production) console.log(startupBanner(config, database, config.sources.webhookSecret, config.sources.developmentTokens));
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
