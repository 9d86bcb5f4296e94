// GraphQL over websockets on /graphql (the graphql-ws protocol), for subscriptions. A connection is
// authenticated once, by its connection_init payload (`Authorization: Bearer <token>`), with the
// same parsing and verifier as an HTTP request; its claims then become the pgSettings of every
// operation it runs, exactly as for HTTP. Grafserv executes the operations; this module adds what a
// public socket needs: who may connect, for how long, and how much one client may hold.
//
// Close codes: 4401 no token, a refused token, or the token expired (reconnect with a fresh one);
// 4403 the subscriber left the organization; 4429 too many connections for this user; 1013 tokens
// cannot be verified right now (retry); 1012 live updates were interrupted (reconnect, refetch);
// 1009 a message over the size limit; 1001 the server is shutting down.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type pg from 'pg';
import { GraphQLError, getOperationAST } from 'postgraphile/graphql';
import { makeGraphQLWSConfig } from 'postgraphile/grafserv';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticate, rememberClaims } from '../../auth/bearerAuth.ts';
import type { SessionTokenVerifier } from '../../auth/verifySessionToken.ts';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { channelName, type ChannelScope } from './channels.ts';
import { LiveHub } from './hub.ts';
import { ACCESS_ENDED, LiveSession } from './session.ts';

export const TOKEN_REFUSED = CloseCode.Unauthorized; // 4401
export const TOO_MANY_CONNECTIONS = 4429;
export const VERIFICATION_UNAVAILABLE = 1013;
export const SHUTTING_DOWN = 1001;

/** Notices one subscription may hold while its client is slow. */
const MAX_QUEUED_NOTICES = 1000;
/** How long shutdown waits for clients to answer the close before cutting them off. */
const CLOSE_GRACE_MS = 2000;

export interface LiveStats {
  connections: number;
  subscriptions: number;
  /** Channels the process LISTENs to. */
  channels: number;
}

export interface GraphqlWebsockets {
  /** Serves websocket upgrades of `path` on this HTTP server. */
  attach(server: Server): void;
  /** Closes every socket with 1001 and waits (briefly) for them, then releases the LISTEN connection. */
  close(): Promise<void>;
  stats(): LiveStats;
  /** Whether the process LISTENs to this organization's or user's channel. */
  isListening(scope: ChannelScope, id: string): boolean;
}

export interface GraphqlWebsocketsOptions {
  path: string;
  /** The grafserv instance that executes operations. */
  serv: Parameters<typeof makeGraphQLWSConfig>[0];
  config: Config;
  pool: pg.Pool;
  listenClient: () => pg.Client;
  verify: SessionTokenVerifier;
  logger: Logger;
}

/** The reason of a close frame is at most 123 bytes. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

/** `Authorization` (any case) of the connection_init payload, or its `headers` object. */
function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const headers = typeof params.headers === 'object' && params.headers !== null ? (params.headers as Record<string, unknown>) : {};
  for (const source of [params, headers]) {
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() === 'authorization' && typeof value === 'string') return value;
    }
  }
  return undefined;
}

/** Runs `action` at `time` (ms since the epoch), also when that is further away than a timer can wait. */
function at(time: number, action: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = time - Date.now();
    if (delay <= 0) return action();
    timer = setTimeout(arm, Math.min(delay, 2 ** 31 - 1));
  };
  arm();
  return () => clearTimeout(timer);
}

interface Connection {
  session: LiveSession;
  userId: string;
  cancelExpiry: () => void;
}

export function createGraphqlWebsockets(options: GraphqlWebsocketsOptions): GraphqlWebsockets {
  const { config, logger } = options;
  const hub = new LiveHub(options.listenClient, logger);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.live.maxMessageBytes });
  const connections = new Map<WebSocket, Connection>();
  const connectionsPerUser = new Map<string, number>();
  const allowedOrigins = new Set(config.corsOrigins);
  let closing = false;

  const countUser = (userId: string, delta: number) => {
    const count = (connectionsPerUser.get(userId) ?? 0) + delta;
    if (count > 0) connectionsPerUser.set(userId, count);
    else connectionsPerUser.delete(userId);
  };
  const release = (socket: WebSocket) => {
    const connection = connections.get(socket);
    if (!connection) return;
    connections.delete(socket);
    connection.cancelExpiry();
    connection.session.close();
    countUser(connection.userId, -1);
  };

  const base = makeGraphQLWSConfig(options.serv);
  useServer(
    {
      ...base,
      connectionInitWaitTimeout: 5000,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra as { socket: WebSocket; request: IncomingMessage };
        const refuse = (code: number, reason: string) => {
          socket.close(code, closeReason(reason));
          return false;
        };
        if (closing) return refuse(SHUTTING_DOWN, 'the server is shutting down');
        const header = authorizationOf(ctx.connectionParams);
        if (header === undefined) {
          return refuse(TOKEN_REFUSED, 'a session token is required: send {"Authorization": "Bearer <token>"} in connection_init');
        }
        const outcome = await authenticate(header, options.verify);
        if (!outcome.ok) {
          if (outcome.status === 503) return refuse(VERIFICATION_UNAVAILABLE, 'session tokens cannot be verified right now: retry');
          return refuse(TOKEN_REFUSED, `session token rejected: ${outcome.reason}`);
        }
        const { claims } = outcome;
        if (typeof claims.exp !== 'number') return refuse(TOKEN_REFUSED, 'session token rejected: it has no expiry (exp)');
        const userId = String(claims.sub);
        if ((connectionsPerUser.get(userId) ?? 0) >= config.live.maxConnectionsPerUser) {
          return refuse(TOO_MANY_CONNECTIONS, `too many connections: at most ${config.live.maxConnectionsPerUser} per user`);
        }
        countUser(userId, +1);
        rememberClaims(request, claims);
        let session: LiveSession | null;
        try {
          session = await LiveSession.open(request, {
            hub,
            pool: options.pool,
            claims,
            maxQueuedNotices: MAX_QUEUED_NOTICES,
            logger,
            end: (code, reason) => socket.close(code, closeReason(reason)),
          });
        } catch (error) {
          countUser(userId, -1);
          logger.error({ err: error }, 'live updates: could not open a connection');
          return refuse(CloseCode.InternalServerError, 'live updates are unavailable right now');
        }
        if (!session) {
          countUser(userId, -1);
          return refuse(ACCESS_ENDED, 'access to the organization has ended');
        }
        connections.set(socket, { session, userId, cancelExpiry: at(claims.exp * 1000, () => socket.close(TOKEN_REFUSED, 'session token expired: reconnect with a fresh one')) });
        // Released on the socket's own close event: graphql-ws ends the operations first, and a
        // subscription waiting for its next event only ends once its session is closed.
        socket.once('close', () => release(socket));
        // The client may have gone while we verified: it will never close again.
        if (socket.readyState !== socket.OPEN) {
          release(socket);
          return false;
        }
        return true;
      },
      async onSubscribe(ctx, id, payload) {
        // The operation being subscribed is already counted.
        if (Object.keys(ctx.subscriptions).length > config.live.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(`Too many operations on this connection: at most ${config.live.maxSubscriptionsPerConnection} at once.`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const args = await base.onSubscribe!(ctx, id, payload);
        // Grafast's execution timeout counts from the start of an operation: a subscription lives
        // for hours, so it would fail every event after the first seconds. Each event's statements
        // keep their statement_timeout.
        const execution = args && !Array.isArray(args) ? (args as import('postgraphile/graphql').ExecutionArgs) : null;
        if (execution && getOperationAST(execution.document, execution.operationName)?.operation === 'subscription') {
          const preset = (args as { resolvedPreset?: GraphileConfig.ResolvedPreset }).resolvedPreset;
          if (preset?.grafast?.timeouts?.execution) {
            (args as { resolvedPreset?: GraphileConfig.ResolvedPreset }).resolvedPreset = {
              ...preset,
              grafast: { ...preset.grafast, timeouts: { ...preset.grafast.timeouts, execution: undefined } },
            };
          }
        }
        return args;
      },
    },
    wss,
    config.live.keepAliveMs,
  );

  const originAllowed = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    // Tokens travel in the first message, not in cookies, so a page of another origin cannot ride
    // on a visitor's session; browsers still get the same origin rule as the HTTP API.
    if (origin === undefined || allowedOrigins.has(origin)) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== options.path || closing) return socket.destroy();
    if (!originAllowed(request)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\norigin not allowed\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => wss.emit('connection', ws, request));
  };
  const servers = new Set<Server>();

  return {
    attach(server) {
      servers.add(server);
      server.on('upgrade', onUpgrade);
    },
    async close() {
      closing = true;
      for (const server of servers) server.off('upgrade', onUpgrade);
      const sockets = [...wss.clients];
      const closed = sockets.map((socket) => new Promise<void>((resolve) => (socket.readyState === socket.CLOSED ? resolve() : socket.once('close', () => resolve()))));
      for (const socket of sockets) socket.close(SHUTTING_DOWN, 'the server is shutting down');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await hub.close();
    },
    stats() {
      let subscriptions = 0;
      for (const { session } of connections.values()) subscriptions += session.subscriptionCount;
      return { connections: connections.size, subscriptions, channels: hub.channelCount };
    },
    isListening(scope, id) {
      return hub.isListening(channelName(scope, id));
    },
  };
}
