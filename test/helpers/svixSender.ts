// A sender that behaves like Svix towards our endpoint: every attempt signed afresh with its own
// timestamp, any non-2xx answer, connection error or timeout retried after a growing delay (the
// real schedule, +5 s, +5 min, …, compressed to milliseconds), several messages in flight at once.
import { svixSignatureHeaders } from '../../support/svixSignature.ts';
import type { Delivery } from './clerkStory.ts';

export interface SendOptions {
  secret: string;
  /** Messages in flight at once. */
  concurrency: number;
  /** An attempt with no answer by then counts as failed (Svix waits 15 s). */
  attemptTimeoutMs?: number;
  /** Delays before the 2nd, 3rd, … attempt; the last one repeats until the deadline. */
  retryDelaysMs?: number[];
  /** Gives up on a message after this long (the test then fails on it). */
  deadlineMs?: number;
  path?: string;
  /** Called after each attempt (tests use it to kill things mid-load). */
  onAttempt?: (attempt: Attempt) => void;
}

export interface Attempt {
  svixId: string;
  endpoint: string;
  status: number | 'timeout' | 'error';
}

export interface SendReport {
  attempts: Attempt[];
  /** Messages per endpoint that never got a 2xx before the deadline. */
  undelivered: { svixId: string; endpoint: string; last: Attempt['status'] }[];
  /** Every status seen, counted. */
  statuses: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Delivers every message to every endpoint until each answers 2xx. `endpoints` is read at every
 * attempt, so a test can move an endpoint (a restarted receiver on a new port).
 */
export async function deliverAll(deliveries: Delivery[], endpoints: () => string[], options: SendOptions): Promise<SendReport> {
  const timeoutMs = options.attemptTimeoutMs ?? 5000;
  const delays = options.retryDelaysMs ?? [25, 100, 250, 500, 1000];
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const path = options.path ?? '/api/webhooks/clerk';
  const report: SendReport = { attempts: [], undelivered: [], statuses: {} };

  const attempt = async (delivery: Delivery, endpointIndex: number): Promise<Attempt> => {
    const endpoint = endpoints()[endpointIndex];
    let status: Attempt['status'];
    try {
      const response = await fetch(`${endpoint}${path}`, {
        method: 'POST',
        body: delivery.body,
        headers: { 'content-type': 'application/json', ...svixSignatureHeaders(options.secret, delivery.svixId, delivery.body) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
    }
    const result = { svixId: delivery.svixId, endpoint, status };
    report.attempts.push(result);
    report.statuses[String(status)] = (report.statuses[String(status)] ?? 0) + 1;
    options.onAttempt?.(result);
    return result;
  };

  const deliverOne = async (delivery: Delivery, endpointIndex: number) => {
    for (let tries = 0; ; tries++) {
      const result = await attempt(delivery, endpointIndex);
      if (typeof result.status === 'number' && result.status >= 200 && result.status < 300) return;
      if (Date.now() >= deadline) {
        report.undelivered.push({ svixId: delivery.svixId, endpoint: result.endpoint, last: result.status });
        return;
      }
      await sleep(delays[Math.min(tries, delays.length - 1)]);
    }
  };

  const jobs = deliveries.flatMap((delivery) => endpoints().map((_, index) => () => deliverOne(delivery, index)));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}
