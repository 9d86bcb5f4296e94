// One live connection: a verified visitor, the channels of their organization and of their user,
// and the subscription streams they opened. Every notice is checked as the visitor (their role and
// claims, under row-level security) before a stream yields it, so a row they may not read yields no
// event at all; the subscription field then loads the row through the normal plan.
// When the sync learns that the visitor left the organization (membership ended, organization or
// user deleted), the connection ends: a token issued before that would otherwise keep it open.
import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import { SafeError } from 'postgraphile/grafast';
import type { SessionClaims } from '../../auth/verifySessionToken.ts';
import type { Logger } from '../../logger.ts';
import { pgSettingsFor } from '../../auth/pgSettings.ts';
import { channelName, parseNotice, type ChangeNotice, type ChannelScope } from './channels.ts';
import type { ChannelListener, LiveHub } from './hub.ts';
import type { LiveTopic } from './topics.ts';

declare global {
  namespace Grafast {
    interface Context {
      /** The websocket connection's live session: what subscription fields listen to. */
      live?: LiveSession;
    }
  }
}

const sessions = new WeakMap<IncomingMessage, LiveSession>();

/** The live session of a websocket's upgrade request, once its connection_init was accepted. */
export function liveSessionOf(request: IncomingMessage | undefined): LiveSession | undefined {
  return request ? sessions.get(request) : undefined;
}

export interface LiveSessionOptions {
  hub: LiveHub;
  /** Visitor connections (the auth pool): checks run as the visitor, like GraphQL requests. */
  pool: pg.Pool;
  claims: SessionClaims;
  /** Notices a stream may hold while its client is slow; beyond, the stream ends (resubscribe and refetch). */
  maxQueuedNotices: number;
  logger: Logger;
  /** Ends the connection: its client sees `code` and `reason`. */
  end(code: number, reason: string): void;
}

/** Close codes the client sees. 4403: access ended; 1012: live updates interrupted, reconnect. */
export const ACCESS_ENDED = 4403;
export const INTERRUPTED = 1012;

/**
 * Runs statements as the visitor in one round trip: a transaction that sets the role and claims
 * exactly as PostGraphile does per request, and ends with the transaction.
 */
async function asVisitor(pool: pg.Pool, claims: SessionClaims, statement: string): Promise<pg.QueryResult> {
  const client = await pool.connect();
  const literal = pg.escapeLiteral;
  const settings = Object.entries(pgSettingsFor(claims)).map(([name, value]) => `set_config(${literal(name)}, ${literal(value)}, true)`);
  let failed: Error | undefined;
  try {
    const results = (await client.query(`begin; select ${settings.join(', ')}; ${statement}; commit`)) as unknown as pg.QueryResult[];
    return results[2];
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    // A failure leaves the transaction open: that connection is not reused.
    client.release(failed);
  }
}

export class LiveSession implements ChannelListener {
  readonly userId: string;
  readonly organizationId: string | null;
  private readonly channels: Map<string, ChannelScope>;
  private readonly streams = new Set<NoticeStream>();
  private ended = false;
  private readonly options: LiveSessionOptions;

  private constructor(options: LiveSessionOptions, identity: { userId: string; organizationId: string | null }) {
    this.options = options;
    this.userId = identity.userId;
    this.organizationId = identity.organizationId;
    this.channels = new Map([[channelName('user', this.userId), 'user']]);
    if (this.organizationId) this.channels.set(channelName('org', this.organizationId), 'org');
  }

  /**
   * Asks the database who the visitor is (the claim shapes are read in SQL, once) and whether
   * they already left their organization; then LISTENs, so that a notice committed after the
   * connection is acknowledged is not missed. Null: access has ended (refuse the connection).
   */
  static async open(request: IncomingMessage, options: LiveSessionOptions): Promise<LiveSession | null> {
    const { rows } = await asVisitor(
      options.pool,
      options.claims,
      'select app_public.current_user_id() as user_id, app_public.current_org_id() as organization_id, app_public.live_access_ended() as ended',
    );
    const [{ user_id: userId, organization_id: organizationId, ended }] = rows;
    if (ended || !userId) return null;
    const session = new LiveSession(options, { userId, organizationId });
    try {
      for (const channel of session.channels.keys()) await options.hub.add(channel, session);
    } catch (error) {
      session.close();
      throw error;
    }
    sessions.set(request, session);
    return session;
  }

  get subscriptionCount(): number {
    return this.streams.size;
  }

  /** The GrafastSubscriber the subscription fields listen to. */
  subscribe(topic: LiveTopic): AsyncIterableIterator<ChangeNotice> {
    if (this.ended) throw new SafeError('This connection has ended.');
    if (topic.scope === 'org' && !this.organizationId) {
      throw new SafeError('The session token has no active organization: there is no organization to follow.', { code: 'NO_ACTIVE_ORGANIZATION' });
    }
    const stream = new NoticeStream(this, topic, this.options.maxQueuedNotices);
    this.streams.add(stream);
    return stream;
  }

  notify(channel: string, payload: string | undefined): void {
    const scope = this.channels.get(channel);
    const notice = parseNotice(payload);
    if (!scope || !notice || this.ended) return;
    for (const stream of this.streams) if (stream.topic.scope === scope && stream.topic.tables.has(notice.kind)) stream.push(notice);
    if (this.mayEndAccess(scope, notice)) void this.recheckAccess();
  }

  interrupted(): void {
    this.finish(INTERRUPTED, 'live updates were interrupted: reconnect and refetch');
  }

  /** Whether the visitor may see this notice now, as decided by the database under their claims. */
  async visible(notice: ChangeNotice): Promise<boolean> {
    const { escapeLiteral } = pg;
    const args = [notice.kind, notice.id, notice.op].map((value) => escapeLiteral(value));
    const { rows } = await asVisitor(
      this.options.pool,
      this.options.claims,
      `select app_public.live_event_visible(${args.join(', ')}, ${notice.org === null ? 'null' : escapeLiteral(notice.org)}) as visible`,
    );
    return rows[0].visible === true;
  }

  forget(stream: NoticeStream): void {
    this.streams.delete(stream);
  }

  /** Releases the channels and ends every stream (the connection closed). */
  close(): void {
    this.ended = true;
    for (const channel of this.channels.keys()) this.options.hub.remove(channel, this);
    for (const stream of [...this.streams]) void stream.return();
  }

  private mayEndAccess(scope: ChannelScope, notice: ChangeNotice): boolean {
    if (notice.op !== 'delete') return false;
    if (scope === 'org') return notice.kind === 'organizations';
    return notice.kind === 'users' || (notice.kind === 'organization_memberships' && notice.org === this.organizationId);
  }

  private async recheckAccess(): Promise<void> {
    try {
      const { rows } = await asVisitor(this.options.pool, this.options.claims, 'select app_public.live_access_ended() as ended');
      if (rows[0].ended) this.finish(ACCESS_ENDED, 'access to the organization has ended');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'live updates: could not recheck access; ending the connection');
      this.finish(INTERRUPTED, 'live updates were interrupted: reconnect and refetch');
    }
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.close();
    this.options.end(code, reason);
  }
}

/**
 * The notices of one subscription, in the order they were committed, each checked before it is
 * yielded. Written as an iterator rather than an async generator so that ending it (the client
 * completes, the connection closes) takes effect at once, even while it waits for the next notice.
 */
class NoticeStream implements AsyncIterableIterator<ChangeNotice> {
  private readonly queue: ChangeNotice[] = [];
  private wake: (() => void) | null = null;
  private done = false;
  private failure: Error | null = null;
  private readonly session: LiveSession;
  readonly topic: LiveTopic;
  private readonly maxQueued: number;

  constructor(session: LiveSession, topic: LiveTopic, maxQueued: number) {
    this.session = session;
    this.topic = topic;
    this.maxQueued = maxQueued;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  push(notice: ChangeNotice): void {
    if (this.done) return;
    if (this.queue.length >= this.maxQueued) {
      this.failure = new SafeError('This subscription fell too far behind the changes: subscribe again and refetch.', { code: 'SUBSCRIPTION_OVERFLOW' });
      this.queue.length = 0;
    } else {
      this.queue.push(notice);
    }
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ChangeNotice>> {
    for (;;) {
      if (this.failure) {
        const failure = this.failure;
        await this.return();
        throw failure;
      }
      if (this.done) return { done: true, value: undefined };
      const notice = this.queue.shift();
      if (!notice) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (await this.session.visible(notice)) return { done: false, value: notice };
    }
  }

  async return(): Promise<IteratorResult<ChangeNotice>> {
    this.done = true;
    this.queue.length = 0;
    this.session.forget(this);
    this.wake?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ChangeNotice>> {
    await this.return();
    throw error;
  }
}
