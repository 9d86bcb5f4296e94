// The one LISTEN connection of the process. Every live connection registers for its two channels
// (its organization's and its user's) here; the hub LISTENs to a channel once however many
// connections want it, and UNLISTENs when the last one leaves. If the connection to Postgres breaks,
// notifications may have been missed: every registered listener is told, so its client reconnects
// and refetches, and the next registration opens a new connection.
import type pg from 'pg';
import type { Logger } from '../../logger.ts';

export interface ChannelListener {
  notify(channel: string, payload: string | undefined): void;
  /** The LISTEN connection failed: events may have been lost. */
  interrupted(error: Error): void;
}

export class LiveHub {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly listeners = new Map<string, Set<ChannelListener>>();
  private readonly listening = new Set<string>();
  /** LISTEN and UNLISTEN run one at a time, in the order asked. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private readonly newClient: () => pg.Client;
  private readonly logger: Logger;

  /** `newClient`: a new, unconnected client for the LISTEN connection. */
  constructor(newClient: () => pg.Client, logger: Logger) {
    this.newClient = newClient;
    this.logger = logger;
  }

  /** Registers `listener` for `channel`; resolves once the LISTEN is in place. */
  async add(channel: string, listener: ChannelListener): Promise<void> {
    if (this.closed) throw new Error('live updates are shutting down');
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    await this.sync(channel);
  }

  remove(channel: string, listener: ChannelListener): void {
    const set = this.listeners.get(channel);
    if (!set?.delete(listener) || set.size) return;
    this.listeners.delete(channel);
    void this.sync(channel).catch(() => undefined);
  }

  /** Whether the LISTEN of `channel` is in place (for readiness checks and metrics). */
  isListening(channel: string): boolean {
    return this.listening.has(channel);
  }

  get channelCount(): number {
    return this.listening.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.chain.catch(() => undefined);
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    this.listening.clear();
    await client?.end().catch(() => undefined);
  }

  /** Brings the LISTEN state of one channel in line with whether anyone wants it. */
  private sync(channel: string): Promise<void> {
    const step = this.chain.then(async () => {
      const wanted = this.listeners.has(channel);
      if (wanted === this.listening.has(channel) || this.closed) return;
      const client = await this.connection();
      await client.query(`${wanted ? 'listen' : 'unlisten'} ${client.escapeIdentifier(channel)}`);
      if (wanted) this.listening.add(channel);
      else this.listening.delete(channel);
    });
    this.chain = step.catch(() => undefined);
    return step;
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = this.newClient();
      client.on('notification', ({ channel, payload }) => {
        for (const listener of this.listeners.get(channel) ?? []) listener.notify(channel, payload);
      });
      client.on('error', (error) => this.lost(client, error));
      client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
      try {
        await client.connect();
      } catch (error) {
        this.connecting = null;
        throw error;
      }
      this.client = client;
      this.connecting = null;
      return client;
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening.clear();
    if (this.closed) return;
    this.logger.warn({ err: error.message }, 'live updates: the LISTEN connection failed; subscribers are disconnected to refetch');
    const everyone = new Set([...this.listeners.values()].flatMap((set) => [...set]));
    this.listeners.clear();
    for (const listener of everyone) listener.interrupted(error);
    client.end().catch(() => undefined);
  }
}
