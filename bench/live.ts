// `npm run bench -- live`: GraphQL subscriptions under webhook load. 100 subscribers (10 per
// organization, each on its own websocket, graphql-ws client) follow membership changes while
// signed deliveries add members to those 10 organizations. Measured in the same run on the same
// database: ingest throughput with the subscribers attached against none (target >= 0.9x), what the
// change-notification triggers themselves cost ingest (the same load with them disabled), and at a
// moderate rate the time from each delivery's 200 (its transaction has committed by then) to each
// subscriber's event, p50 and p99.
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { membershipEvent } from '../support/clerkDeliveries.ts';
import { freePort } from '../support/ports.ts';
import { svixSignatureHeaders } from '../support/svixSignature.ts';
import { startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import type { BenchOptions } from './lib/options.ts';
import { productSecrets, startProduct, type ProductSecrets } from './lib/product.ts';
import { runLoad } from './lib/processes.ts';
import { machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';

const WEBHOOK_PATH = '/api/webhooks/clerk';
const ORGANIZATIONS = 10;
const SUBSCRIBERS_PER_ORGANIZATION = 10;
/** Deliveries per second of the latency run: well below what ingest sustains here. */
const LATENCY_RATE = 20;
const SUBSCRIPTION = 'subscription { organizationChanged(kinds: [MEMBERSHIP]) { operation id membership { id role } } }';

interface Subscribers {
  /** Arrival times (performance.now()) of each membership id's event, one entry per subscriber that got it. */
  arrivals: Map<string, number[]>;
  received(): number;
  close(): Promise<void>;
}

async function attachSubscribers(url: string, secrets: ProductSecrets, organizations: string[]): Promise<Subscribers> {
  const arrivals = new Map<string, number[]>();
  let received = 0;
  const clients: Client[] = [];
  let subscribed = 0;
  for (const organization of organizations) {
    for (let s = 0; s < SUBSCRIBERS_PER_ORGANIZATION; s++) {
      const token = secrets.tokens.sign({ sub: `user_${organization}s${s}`, org_id: `org_${organization}`, org_role: 'org:member', org_permissions: [] }, 3600);
      const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${token}` }, on: { connected: () => subscribed++ } });
      clients.push(client);
      client.subscribe(
        { query: SUBSCRIPTION },
        {
          next: ({ data }) => {
            const at = performance.now();
            received++;
            const id = (data as any)?.organizationChanged?.id as string | undefined;
            if (id) arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
          },
          error: (error) => console.error('subscriber failed', error),
          complete: () => undefined,
        },
      );
    }
  }
  const deadline = Date.now() + 60_000;
  while (subscribed < clients.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (subscribed < clients.length) throw new Error(`only ${subscribed} of ${clients.length} subscribers connected`);
  // Subscriptions are set up right after the connection: give them a moment to be in place.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { arrivals, received: () => received, close: async () => void (await Promise.all(clients.map((client) => client.dispose()))) };
}

/** Waits until no event arrived for `quietMs`, at most `limitMs`; returns how long it took. */
async function drain(subscribers: Subscribers, quietMs = 1000, limitMs = 60_000): Promise<number> {
  const started = performance.now();
  let last = subscribers.received();
  let quietSince = performance.now();
  while (performance.now() - quietSince < quietMs && performance.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (subscribers.received() !== last) {
      last = subscribers.received();
      quietSince = performance.now();
    }
  }
  return performance.now() - started - quietMs;
}

async function deliver(url: string, secret: string, key: string, organization: string, at: number): Promise<number> {
  const body = JSON.stringify(membershipEvent('organizationMembership.created', { key, userKey: key, organizationKey: organization, updatedAt: at }));
  const response = await fetch(`${url}${WEBHOOK_PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...svixSignatureHeaders(secret, `msg_${key}`, body) } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`delivery answered ${response.status}`);
  return performance.now();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN;
}

async function countMemberships(database: BenchDatabase): Promise<number> {
  return (await database.sql<{ n: number }>('select count(*)::int as n from app_public.organization_memberships')).rows[0].n;
}

export async function live(options: BenchOptions): Promise<void> {
  const secrets = productSecrets();
  console.log('starting a fresh embedded Postgres with the committed migrations …');
  const database = await startBenchDatabase();
  const server = await startProduct(database, secrets, await freePort(), 'product-live');
  try {
    const run = randomBytes(3).toString('hex');
    const organizations = Array.from({ length: ORGANIZATIONS }, (_, j) => `live${run}o${j}`);

    type Mode = 'untriggered' | 'none' | 'attached';
    const MODES: Mode[] = ['untriggered', 'none', 'attached'];
    const LABELS: Record<Mode, string> = { untriggered: 'no subscribers, notification triggers disabled', none: 'no subscribers', attached: '100 subscribers (10 per organization)' };
    const throughput: Record<Mode, number[]> = { untriggered: [], none: [], attached: [] };
    const fanout: Array<{ expected: number; received: number; lagMs: number }> = [];
    const setTriggers = async (enabled: boolean) => {
      const { rows } = await database.sql<{ table: string }>(`select tgrelid::regclass::text as table from pg_trigger where tgname = 'live_change'`);
      for (const { table } of rows) await database.sql(`alter table ${table} ${enabled ? 'enable' : 'disable'} trigger live_change`);
    };
    for (let round = 0; round < options.rounds; round++) {
      // Rotating the order spreads slow drift of the machine over all settings.
      for (const mode of MODES.map((_, index) => MODES[(index + round) % MODES.length])) {
        await setTriggers(mode !== 'untriggered');
        const subscribers = mode === 'attached' ? await attachSubscribers(server.url, secrets, organizations) : null;
        const before = await countMemberships(database);
        process.stdout.write(`  round ${round + 1}/${options.rounds}: ${LABELS[mode]} … `);
        const load = await runLoad({
          url: server.url,
          path: WEBHOOK_PATH,
          connections: options.connections,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
          webhook: { secret: secrets.webhookSecret, keyPrefix: `t${round}${mode[0]}${run}x`, organizations },
        });
        throughput[mode].push(load.requestsPerSecond);
        console.log(`${load.requestsPerSecond.toFixed(0)} deliveries/s, p99 ${load.p99} ms, ${load.non2xx + load.errors} non-2xx/errors`);
        if (subscribers) {
          const lagMs = await drain(subscribers);
          const joined = (await countMemberships(database)) - before;
          fanout.push({ expected: joined * SUBSCRIBERS_PER_ORGANIZATION, received: subscribers.received(), lagMs });
          await subscribers.close();
        }
      }
    }
    await setTriggers(true);

    // Latency at a moderate rate: one delivery every 1/LATENCY_RATE s, each read by 10 subscribers.
    const subscribers = await attachSubscribers(server.url, secrets, organizations);
    const answered = new Map<string, number>();
    const deliveries = Math.max(20, Math.round(options.durationSeconds * LATENCY_RATE));
    process.stdout.write(`  latency: ${deliveries} deliveries at ${LATENCY_RATE}/s to 100 subscribers … `);
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < deliveries; i++) {
      const wait = start + (i * 1000) / LATENCY_RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const key = `l${run}x${i}`;
      inFlight.push(deliver(server.url, secrets.webhookSecret, key, organizations[i % ORGANIZATIONS], Date.UTC(2025, 6, 1) + i).then((at) => void answered.set(`orgmem_${key}`, at)));
    }
    await Promise.all(inFlight);
    await drain(subscribers);
    await subscribers.close();
    const latencies: number[] = [];
    let missing = 0;
    for (const [id, at] of answered) {
      const arrivals = subscribers.arrivals.get(id) ?? [];
      missing += SUBSCRIBERS_PER_ORGANIZATION - arrivals.length;
      for (const arrival of arrivals) latencies.push(arrival - at);
    }
    console.log(`${latencies.length} events`);

    const ratio = pairedRatio(throughput.attached, throughput.none);
    printTable(
      `live: membership deliveries to ${ORGANIZATIONS} organizations, ${options.connections} in flight, ${options.durationSeconds} s measured after ${options.warmupSeconds} s warm-up, ` +
        `median of ${options.rounds} round(s) (ratio: median of the per-round ratios), ${machineLoad()} at the end`,
      ['setting', 'deliveries/s', 'subscriber events expected', 'received', 'drained after the load (ms)'],
      [
        [LABELS.untriggered, median(throughput.untriggered), '–', '–', '–'],
        [LABELS.none, median(throughput.none), '–', '–', '–'],
        [LABELS.attached, median(throughput.attached), fanout.reduce((sum, f) => sum + f.expected, 0), fanout.reduce((sum, f) => sum + f.received, 0), median(fanout.map((f) => f.lagMs))],
      ],
    );
    printTable(`live latency: delivery's 200 → subscriber's event, ${deliveries} deliveries at ${LATENCY_RATE}/s, 10 subscribers each`, ['events', 'missing', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], [
      [latencies.length, missing, percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99), Math.max(...latencies)],
    ]);
    printTable('live targets', VERDICT_HEADER, [
      verdict('ingest with 100 subscribers ÷ with none', ratio, '>=', 0.9),
      ['ingest with the notification triggers ÷ without (cost of NOTIFY)', pairedRatio(throughput.none, throughput.untriggered).toFixed(2) + '×', '–', 'for the record'],
      verdict('delivery → subscriber p99', percentile(latencies, 99), '<=', 1000, ' ms'),
      verdict('events missing at the moderate rate', missing, '<=', 0, ''),
    ]);
  } finally {
    await server.stop();
    await database.stop();
  }
}
