// The load generator, run as its own process so its CPU is not the server's: autocannon with a
// fixed number of requests in flight, for a warm-up and then a measured period. With `webhook`
// set, every request is a fresh signed Clerk user.created delivery for a new user and svix-id (or,
// with `organizations`, a new member joining one of them in turn).
// usage: node bench/lib/loadWorker.ts '<LoadSpec as JSON>'; prints a LoadResult as JSON.
import autocannon from 'autocannon';
import { membershipEvent, userEvent } from '../../support/clerkDeliveries.ts';
import { svixSignatureHeaders } from '../../support/svixSignature.ts';

export interface LoadSpec {
  url: string;
  path: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Requests per second in all (open loop); unset: as fast as the connections allow. */
  rate?: number;
  /** Sends signed user.created deliveries with ids starting with this key prefix. */
  webhook?: { secret: string; keyPrefix: string; organizations?: string[] };
  /** Otherwise these requests, in turn. */
  fixed?: { method: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function requestsOf(spec: LoadSpec): autocannon.Request[] {
  if (spec.fixed) {
    return spec.fixed.map((request) => ({ ...request, path: spec.path }));
  }
  const { secret, keyPrefix, organizations } = spec.webhook!;
  const baseTime = Date.UTC(2025, 5, 1);
  let sequence = 0;
  return [
    {
      method: 'POST',
      path: spec.path,
      setupRequest: (request) => {
        const n = sequence++;
        const key = `${keyPrefix}${n.toString(36)}`;
        const event = organizations
          ? membershipEvent('organizationMembership.created', { key, userKey: key, organizationKey: organizations[n % organizations.length], updatedAt: baseTime + n })
          : userEvent('user.created', { key, updatedAt: baseTime + n });
        const body = JSON.stringify(event);
        const headers = svixSignatureHeaders(secret, `msg_${keyPrefix}${n.toString(36)}`, body);
        return { ...request, body, headers: { 'content-type': 'application/json', ...headers } };
      },
    },
  ];
}

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 20,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    requests: requestsOf(spec),
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  // The warm-up must get its own ids: a measured request must never be a duplicate.
  if (spec.warmupSeconds > 0) {
    await run(spec.webhook ? { ...spec, webhook: { ...spec.webhook, keyPrefix: `${spec.webhook.keyPrefix}w` } } : spec, spec.warmupSeconds);
  }
  const result = await run(spec, spec.durationSeconds);
  const summary: LoadResult = {
    requestsPerSecond: result.requests.total / (result.duration || spec.durationSeconds),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
