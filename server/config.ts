// Reads and validates the environment once, at start. Every problem is reported together,
// naming the variable, so an operator fixes the deployment in one go.
import { EnvError, EnvMissingError, bool, cleanEnv, makeValidator, num, port, str } from 'envalid';
import path from 'node:path';
import { loadDevSecrets } from './devSecrets.ts';
import { sessionTokenPublicKey } from './devSessionToken.ts';
import { environmentFile } from './environmentFile.ts';

export interface Config {
  production: boolean;
  nodeEnv: string;
  port: number;
  host: string;
  database: {
    /** Owner connection (migrations); unset means the embedded development Postgres. */
    url?: string;
    /** Login role the server runs as; it owns nothing and switches to the visitor roles. */
    authUrl?: string;
    rootUrl?: string;
    shadowUrl?: string;
    embeddedPort: number;
    dataDir: string;
  };
  clerk: {
    /** Every accepted signing secret: several at once during a rotation. Empty: generate one (development). */
    webhookSecrets: string[];
    jwtKey?: string;
    secretKey?: string;
    apiUrl: string;
    authorizedParties: string[];
    /** CLERK_INSTANCE_ID: deliveries from any other Clerk instance are ignored. Empty: any instance. */
    instanceIds: string[];
  };
  webhookBodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** Express `trust proxy`: which hops' X-Forwarded-For to believe for the client address. */
  trustProxy: boolean | number | string;
  /** Failed webhook verifications allowed per client address per window before 429. */
  webhookFailureLimit: { failures: number; windowSeconds: number };
  /** Connections of the webhook pool (per process). */
  webhookPoolSize: number;
  /** Browser origins allowed to call /graphql cross-origin; empty: no CORS headers at all. */
  corsOrigins: string[];
  /** Which routes this process serves: both (the default), or one for a split deployment. */
  serve: { webhooks: boolean; graphql: boolean };
  /** Serve /metrics on this port only (not on the API port); unset: on the API port. */
  metricsPort?: number;
  /** Node's limits for receiving one request: all of it, and its headers (both above Clerk's 15 s). */
  http: { requestTimeoutMs: number; headersTimeoutMs: number };
  /** What one GraphQL request may cost (see docs/graphql.md, "Limits"). */
  graphql: {
    /** Introspection and "Did you mean" hints for visitors without a token (off in production). */
    anonymousIntrospection: boolean;
    maxDepth: number;
    maxSelections: number;
    maxFanOut: number;
    assumedPageSize: number;
    statementTimeoutMs: number;
    planningTimeoutMs: number;
    requestTimeoutMs: number;
    maxResponseBytes: number;
    maxConcurrent: number;
    maxQueued: number;
  };
  /** Where the webhook secret and the session-token key came from (see `developmentDefaults`). */
  sources: {
    webhookSecret: WebhookSecretSource;
    /** Session tokens are verified with the development key that `npm run dev:token` signs with. */
    developmentTokens: boolean;
  };
  /** Ledger retention: how long delivered payloads are kept, and how often the server prunes (0: never). */
  ledger: { payloadRetentionDays: number; pruneIntervalHours: number };
  /** GraphQL subscriptions over websockets: what one client may hold. */
  live: {
    maxConnectionsPerUser: number;
    maxSubscriptionsPerConnection: number;
    maxMessageBytes: number;
    keepAliveMs: number;
    /** How long the change relay waits after finding the queue empty (app_private.relay_live_changes). */
    relayIntervalMs: number;
  };
}

export type WebhookSecretSource = { kind: 'environment' } | { kind: 'stored' } | { kind: 'generated'; secret: string };

export interface LoadConfigOptions {
  /**
   * Outside production, fill what the environment leaves out from .data/dev-secrets.json
   * (generated on first use): a webhook signing secret, and, when neither CLERK_JWT_KEY nor
   * CLERK_SECRET_KEY is set, the development session-token key. The server asks for this; the
   * operator commands and the tests read the environment as it is.
   */
  developmentDefaults?: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}

const postgresUrl = makeValidator<string>((value) => {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new EnvError('must be a postgres:// connection string');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new EnvError('must start with postgres:// or postgresql://');
  if (!parsed.username || parsed.pathname.length < 2) throw new EnvError('must name a user and a database');
  return value;
});

const webhookSecrets = makeValidator<string[]>((value) => {
  const secrets = value.split(/\s+/).filter(Boolean);
  for (const secret of secrets) {
    const encoded = secret.replace(/^whsec_/, '');
    if (!secret.startsWith('whsec_') || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || Buffer.from(encoded, 'base64').length < 16) {
      throw new EnvError('each secret must look like whsec_<base64> as shown in the Clerk dashboard');
    }
  }
  return secrets;
});

// Dashboards and .env files often carry the PEM on one line with literal "\n".
const pemPublicKey = makeValidator<string>((value) => {
  const pem = value.replace(/\\n/g, '\n').trim();
  if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(pem)) {
    throw new EnvError('must be the PEM public key from the Clerk dashboard (-----BEGIN PUBLIC KEY----- …)');
  }
  return pem;
});

const byteSize = makeValidator<number>((value) => {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value.trim());
  if (!match) throw new EnvError('must be a size such as 512kb or 1mb');
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
});

// Express's own forms: true/false, a hop count, or addresses/subnets/names (loopback, uniquelocal).
const trustProxy = makeValidator<boolean | number | string>((value) => {
  const trimmed = value.trim();
  if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/^[\w.:/,\s-]+$/.test(trimmed)) throw new EnvError('must be true, false, a number of proxy hops, or comma-separated addresses/subnets (see Express "trust proxy")');
  return trimmed;
});

// Hours between two runs of a scheduled job: 0 turns it off.
const hoursOrOff = makeValidator<number>((value) => {
  const hours = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || hours > 500) throw new EnvError(`must be a number of hours from 0 (off) to 500, got "${value}"`);
  return hours;
});

const positiveInteger = makeValidator<number>((value) => {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new EnvError('must be a whole number of at least 1');
  return Number(value);
});

// The browser sends Origin as scheme://host[:port] exactly, so anything else would never match.
const originList = makeValidator<string[]>((value) => {
  const origins = value.split(',').map((part) => part.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new EnvError(`must be comma-separated origins such as https://app.example.com,http://localhost:5173 (scheme, host and optional port; no path, no trailing slash, no wildcard): "${origin}" is not one`);
    }
  }
  return origins;
});

// Clerk instance ids (ins_…), as the Clerk dashboard shows them and deliveries carry them.
const instanceIdList = makeValidator<string[]>((value) => {
  const ids = value.split(',').map((part) => part.trim()).filter(Boolean);
  const wrong = ids.filter((id) => !/^ins_[A-Za-z0-9]+$/.test(id));
  if (wrong.length || !ids.length) throw new EnvError(`must be one or more comma-separated Clerk instance ids (ins_…): ${wrong.map((id) => `"${id}"`).join(', ') || 'none given'}`);
  return ids;
});

const commaList = (value: string | undefined) => (value ?? '').split(',').map((part) => part.trim()).filter(Boolean);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const clean = cleanEnv(
    env,
    {
      NODE_ENV: str({ default: 'development' }),
      PORT: port({ default: 3000 }),
      HOST: str({ default: '0.0.0.0' }),
      DATABASE_URL: postgresUrl({ default: undefined }),
      AUTH_DATABASE_URL: postgresUrl({ default: undefined }),
      ROOT_DATABASE_URL: postgresUrl({ default: undefined }),
      SHADOW_DATABASE_URL: postgresUrl({ default: undefined }),
      EMBEDDED_POSTGRES_PORT: port({ default: 54329 }),
      DATA_DIR: str({ default: '.data' }),
      CLERK_WEBHOOK_SIGNING_SECRET: webhookSecrets({ default: undefined }),
      CLERK_WEBHOOK_SECRET: webhookSecrets({ default: undefined }),
      CLERK_JWT_KEY: pemPublicKey({ default: undefined }),
      CLERK_SECRET_KEY: str({ default: undefined }),
      CLERK_API_URL: str({ default: 'https://api.clerk.com' }),
      CLERK_AUTHORIZED_PARTIES: str({ default: '' }),
      WEBHOOK_BODY_LIMIT: byteSize({ default: 1024 * 1024 }),
      SHUTDOWN_TIMEOUT_MS: num({ default: 10_000 }),
      TRUST_PROXY: trustProxy({ default: false }),
      WEBHOOK_FAILURE_LIMIT: positiveInteger({ default: 20 }),
      WEBHOOK_POOL_SIZE: positiveInteger({ default: 10 }),
      WEBHOOK_FAILURE_WINDOW_SECONDS: positiveInteger({ default: 60 }),
      CORS_ORIGINS: originList({ default: undefined }),
      SERVE_ONLY: str({ choices: ['webhooks', 'graphql'], default: undefined }),
      METRICS_PORT: port({ default: undefined }),
      HTTP_REQUEST_TIMEOUT_MS: positiveInteger({ default: 20_000 }),
      HTTP_HEADERS_TIMEOUT_MS: positiveInteger({ default: 16_000 }),
      GRAPHQL_ANONYMOUS_INTROSPECTION: bool({ default: undefined }),
      GRAPHQL_MAX_DEPTH: positiveInteger({ default: 12 }),
      GRAPHQL_MAX_SELECTIONS: positiveInteger({ default: 250 }),
      GRAPHQL_MAX_FAN_OUT: positiveInteger({ default: 10_000 }),
      GRAPHQL_ASSUMED_PAGE_SIZE: positiveInteger({ default: 100 }),
      GRAPHQL_STATEMENT_TIMEOUT_MS: positiveInteger({ default: 5000 }),
      GRAPHQL_PLANNING_TIMEOUT_MS: positiveInteger({ default: 1000 }),
      GRAPHQL_REQUEST_TIMEOUT_MS: positiveInteger({ default: 10_000 }),
      GRAPHQL_MAX_RESPONSE_SIZE: byteSize({ default: 5 * 1024 * 1024 }),
      GRAPHQL_MAX_CONCURRENT: positiveInteger({ default: 2 }),
      GRAPHQL_MAX_QUEUED: positiveInteger({ default: 32 }),
      CLERK_INSTANCE_ID: instanceIdList({ default: undefined }),
      WEBHOOK_PAYLOAD_RETENTION_DAYS: positiveInteger({ default: 90 }),
      WEBHOOK_PRUNE_INTERVAL_HOURS: hoursOrOff({ default: 24 }),
      LIVE_MAX_CONNECTIONS_PER_USER: positiveInteger({ default: 10 }),
      LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInteger({ default: 20 }),
      LIVE_MAX_MESSAGE_SIZE: byteSize({ default: 64 * 1024 }),
      LIVE_KEEPALIVE_SECONDS: positiveInteger({ default: 15 }),
      LIVE_RELAY_INTERVAL_MS: positiveInteger({ default: 50 }),
    },
    {
      reporter: ({ errors }) => {
        for (const [name, error] of Object.entries(errors)) {
          if (error instanceof EnvMissingError) problems.push(`${name} is required`);
          else problems.push(`${name} ${(error as Error).message}`);
        }
      },
    },
  );

  if (environmentFile.problem) problems.unshift(environmentFile.problem);
  // The cross-checks look at what was given, not at what envalid accepted, so that a malformed
  // variable does not hide a missing one: every problem is reported in the same error.
  const given = (name: string) => env[name] !== undefined && env[name] !== '';
  if (given('DATABASE_URL') && !given('AUTH_DATABASE_URL')) {
    problems.push('AUTH_DATABASE_URL is required when DATABASE_URL is set (the server must not run as the owner)');
  }
  if ((env.NODE_ENV ?? 'development') === 'production') {
    if (!given('DATABASE_URL')) problems.push('DATABASE_URL is required in production (the embedded Postgres is for development)');
    if (!given('CLERK_WEBHOOK_SIGNING_SECRET') && !given('CLERK_WEBHOOK_SECRET')) problems.push('CLERK_WEBHOOK_SIGNING_SECRET is required in production');
    if (!given('CLERK_JWT_KEY') && !given('CLERK_SECRET_KEY')) {
      problems.push('CLERK_JWT_KEY (or CLERK_SECRET_KEY) is required in production to verify session tokens');
    }
  }
  if (clean.HTTP_HEADERS_TIMEOUT_MS > clean.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  if (clean.METRICS_PORT !== undefined && clean.METRICS_PORT === clean.PORT) problems.push('METRICS_PORT must differ from PORT');
  if (problems.length) throw new ConfigError(problems);
  const production = clean.NODE_ENV === 'production';
  const webhookSecretList = clean.CLERK_WEBHOOK_SIGNING_SECRET ?? clean.CLERK_WEBHOOK_SECRET ?? [];

  const dataDir = path.resolve(clean.DATA_DIR);
  let acceptedSecrets = webhookSecretList;
  let webhookSecret: WebhookSecretSource = { kind: 'environment' };
  let jwtKey = clean.CLERK_JWT_KEY;
  let developmentTokens = false;
  if (options.developmentDefaults && !production) {
    const needsSecret = !acceptedSecrets.length;
    const needsTokenKey = !jwtKey && !clean.CLERK_SECRET_KEY;
    if (needsSecret || needsTokenKey) {
      const { secrets, generated } = loadDevSecrets(dataDir);
      if (needsSecret) {
        acceptedSecrets = [secrets.webhookSigningSecret];
        webhookSecret = generated.includes('webhookSigningSecret') ? { kind: 'generated', secret: secrets.webhookSigningSecret } : { kind: 'stored' };
      }
      if (needsTokenKey) {
        jwtKey = sessionTokenPublicKey(secrets.sessionTokenPrivateKey);
        developmentTokens = true;
      }
    }
  }

  return {
    production,
    nodeEnv: clean.NODE_ENV,
    port: clean.PORT,
    host: clean.HOST,
    database: {
      url: clean.DATABASE_URL,
      authUrl: clean.AUTH_DATABASE_URL,
      rootUrl: clean.ROOT_DATABASE_URL,
      shadowUrl: clean.SHADOW_DATABASE_URL,
      embeddedPort: clean.EMBEDDED_POSTGRES_PORT,
      dataDir,
    },
    clerk: {
      webhookSecrets: acceptedSecrets,
      jwtKey,
      secretKey: clean.CLERK_SECRET_KEY,
      apiUrl: clean.CLERK_API_URL,
      authorizedParties: commaList(clean.CLERK_AUTHORIZED_PARTIES),
      instanceIds: clean.CLERK_INSTANCE_ID ?? [],
    },
    webhookBodyLimitBytes: clean.WEBHOOK_BODY_LIMIT,
    shutdownTimeoutMs: clean.SHUTDOWN_TIMEOUT_MS,
    trustProxy: clean.TRUST_PROXY,
    webhookFailureLimit: { failures: clean.WEBHOOK_FAILURE_LIMIT, windowSeconds: clean.WEBHOOK_FAILURE_WINDOW_SECONDS },
    webhookPoolSize: clean.WEBHOOK_POOL_SIZE,
    // The frontends whose tokens we accept (azp) are the origins that call us.
    corsOrigins: clean.CORS_ORIGINS ?? commaList(clean.CLERK_AUTHORIZED_PARTIES),
    serve: { webhooks: clean.SERVE_ONLY !== 'graphql', graphql: clean.SERVE_ONLY !== 'webhooks' },
    metricsPort: clean.METRICS_PORT,
    http: { requestTimeoutMs: clean.HTTP_REQUEST_TIMEOUT_MS, headersTimeoutMs: clean.HTTP_HEADERS_TIMEOUT_MS },
    graphql: {
      anonymousIntrospection: clean.GRAPHQL_ANONYMOUS_INTROSPECTION ?? !production,
      maxDepth: clean.GRAPHQL_MAX_DEPTH,
      maxSelections: clean.GRAPHQL_MAX_SELECTIONS,
      maxFanOut: clean.GRAPHQL_MAX_FAN_OUT,
      assumedPageSize: clean.GRAPHQL_ASSUMED_PAGE_SIZE,
      statementTimeoutMs: clean.GRAPHQL_STATEMENT_TIMEOUT_MS,
      planningTimeoutMs: clean.GRAPHQL_PLANNING_TIMEOUT_MS,
      requestTimeoutMs: clean.GRAPHQL_REQUEST_TIMEOUT_MS,
      maxResponseBytes: clean.GRAPHQL_MAX_RESPONSE_SIZE,
      maxConcurrent: clean.GRAPHQL_MAX_CONCURRENT,
      maxQueued: clean.GRAPHQL_MAX_QUEUED,
    },
    sources: { webhookSecret, developmentTokens },
    ledger: { payloadRetentionDays: clean.WEBHOOK_PAYLOAD_RETENTION_DAYS, pruneIntervalHours: clean.WEBHOOK_PRUNE_INTERVAL_HOURS },
    live: {
      maxConnectionsPerUser: clean.LIVE_MAX_CONNECTIONS_PER_USER,
      maxSubscriptionsPerConnection: clean.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxMessageBytes: clean.LIVE_MAX_MESSAGE_SIZE,
      keepAliveMs: clean.LIVE_KEEPALIVE_SECONDS * 1000,
      relayIntervalMs: clean.LIVE_RELAY_INTERVAL_MS,
    },
  };
}
