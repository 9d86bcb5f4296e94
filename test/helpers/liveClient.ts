// A subscriber as a frontend has one: the graphql-ws client over a real websocket to the app,
// authenticated by its connection_init payload. Events, errors, completion and the close of the
// socket are recorded so tests can wait for them.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface Subscription {
  events: any[];
  errors: any[];
  completed: boolean;
  /** Waits until `count` events arrived (in total), and returns them. */
  waitFor(count: number, timeoutMs?: number): Promise<any[]>;
  /** Waits until the subscription ended with an error or completed. */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export interface LiveClient {
  client: Client;
  /** Resolves with the first close of the socket. */
  closed: Promise<CloseInfo>;
  connected: Promise<void>;
  subscribe(query: string, variables?: Record<string, unknown>): Subscription;
  dispose(): Promise<void>;
}

export function wsUrl(appUrl: string): string {
  return `${appUrl.replace(/^http/, 'ws')}/graphql`;
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `connectionParams` is the connection_init payload; by default `{ Authorization: 'Bearer <token>' }`. */
export function liveClient(appUrl: string, token: string | null, connectionParams?: Record<string, unknown>): LiveClient {
  let resolveClosed!: (info: CloseInfo) => void;
  let resolveConnected!: () => void;
  const closed = new Promise<CloseInfo>((resolve) => (resolveClosed = resolve));
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client = createClient({
    url: wsUrl(appUrl),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: connectionParams ?? (token === null ? undefined : { Authorization: `Bearer ${token}` }),
    onNonLazyError: () => undefined,
    on: {
      connected: () => resolveConnected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closed,
    connected,
    subscribe(query, variables) {
      const subscription: Subscription = {
        events: [],
        errors: [],
        completed: false,
        async waitFor(count, timeoutMs = 5000) {
          await until(() => subscription.events.length >= count || subscription.errors.length > 0, timeoutMs, () => `${count} events (have ${JSON.stringify(subscription.events)})`);
          if (subscription.errors.length && subscription.events.length < count) throw new Error(`subscription failed: ${JSON.stringify(subscription.errors)}`);
          return subscription.events.slice(0, count);
        },
        async ended(timeoutMs = 5000) {
          await until(() => subscription.completed || subscription.errors.length > 0, timeoutMs, () => 'the subscription to end');
        },
        unsubscribe: () => undefined,
      };
      subscription.unsubscribe = client.subscribe(
        { query, variables },
        {
          next: (value) => subscription.events.push(value),
          // A close of the socket arrives as a CloseEvent: keep what matters of it.
          error: (error) => subscription.errors.push(error && typeof error === 'object' && 'code' in error ? { code: (error as CloseInfo).code, reason: String((error as CloseInfo).reason) } : error),
          complete: () => (subscription.completed = true),
        },
      );
      return subscription;
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** Waits until `condition` holds (polling every few ms). */
export function eventually(condition: () => boolean, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  return until(condition, timeoutMs, () => what);
}
