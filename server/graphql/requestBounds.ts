// What one GraphQL HTTP request may take from the process, enforced around grafserv's handling of
// it: a bounded number run at once (the rest wait in a bounded queue; beyond it, 503), a
// wall-clock budget after which the client gets its answer (503) while the slot stays taken until
// the work really ends, and a bound on the response size. Webhook deliveries share the process, so
// GraphQL load must never occupy the event loop or the database without limit.
//
// Request errors (no `data`: parse, validation, cost refusals) are HTTP 400 for every client; for
// `Accept: application/json` grafserv would answer them 200.
import type { BufferResult, Result } from 'postgraphile/grafserv';

export interface RequestBounds {
  /** GraphQL requests executing at once. */
  maxConcurrent: number;
  /** Requests waiting for a slot; one more gets 503 at once. */
  maxQueued: number;
  /** Milliseconds from arrival (queueing included) to an answer. */
  budgetMs: number;
  /** Largest response body in bytes. */
  maxResponseBytes: number;
}

export const DEFAULT_REQUEST_BOUNDS: RequestBounds = { maxConcurrent: 2, maxQueued: 32, budgetMs: 10_000, maxResponseBytes: 5 * 1024 * 1024 };

export const REQUEST_BOUND_CODES = {
  busy: 'SERVER_BUSY',
  timeout: 'REQUEST_TIMEOUT',
  tooLarge: 'RESPONSE_TOO_LARGE',
} as const;

export type RequestRefusal = keyof typeof REQUEST_BOUND_CODES;

function errorResult(statusCode: number, code: string, message: string, extraHeaders: Record<string, string> = {}): BufferResult {
  const buffer = Buffer.from(JSON.stringify({ errors: [{ message, extensions: { code } }] }), 'utf8');
  return {
    type: 'buffer',
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(buffer.length), ...extraHeaders },
    buffer,
  };
}

/** A request error has `errors` and no `data` key; only small bodies can be one, so only those are read. */
function isRequestError(result: BufferResult): boolean {
  if (result.buffer.length > 64 * 1024 || result.buffer[0] !== 0x7b) return false;
  try {
    const payload = JSON.parse(result.buffer.toString('utf8')) as Record<string, unknown>;
    return !('data' in payload) && Array.isArray(payload.errors);
  } catch {
    return false;
  }
}

function bound(result: Result | null, bounds: RequestBounds): Result | null {
  if (result?.type !== 'buffer') return result;
  if (result.buffer.length > bounds.maxResponseBytes) {
    return errorResult(400, REQUEST_BOUND_CODES.tooLarge, `The response would be ${result.buffer.length} bytes; the API sends at most ${bounds.maxResponseBytes}. Ask for fewer rows or fields.`);
  }
  if (result.statusCode === 200 && isRequestError(result)) return { ...result, statusCode: 400 };
  return result;
}

/**
 * A counting semaphore with a bounded FIFO queue. (p-queue would do, but it is ESM-only and the
 * test runner loads the server as CommonJS.)
 */
class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;
  constructor(concurrency: number) {
    this.concurrency = concurrency;
  }

  get load() {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Resolves when a slot is taken; `cancel` gives up a place still waiting (false once started). */
  enter(): { entered: Promise<void>; cancel: () => boolean } {
    if (this.running < this.concurrency) {
      this.running++;
      return { entered: Promise.resolve(), cancel: () => false };
    }
    let wake!: () => void;
    const entered = new Promise<void>((resolve) => (wake = resolve));
    this.waiting.push(wake);
    return {
      entered,
      cancel: () => {
        const index = this.waiting.indexOf(wake);
        if (index < 0) return false;
        this.waiting.splice(index, 1);
        return true;
      },
    };
  }

  /** Hands the slot to the next waiting request, if any. */
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

export interface RequestBoundsPlugin extends GraphileConfig.Plugin {
  /** Requests executing and waiting now (for metrics). */
  load(): { running: number; queued: number };
}

export function requestBoundsPlugin(
  bounds: RequestBounds,
  graphqlPath: string,
  onRefused: (reason: RequestRefusal) => void = () => {},
): RequestBoundsPlugin {
  const admission = new Admission(bounds.maxConcurrent);
  const retryAfter = { 'retry-after': '1' };
  return {
    name: 'RequestBoundsPlugin',
    description: 'Bounds concurrent GraphQL requests, their wall-clock time and their response size',
    version: '1.0.0',
    load: () => admission.load,
    grafserv: {
      middleware: {
        async processRequest(next, event) {
          if (event.requestDigest.path !== graphqlPath) return next();
          // Waiting for the schema (the first requests after start) is not the request's work:
          // neither a slot nor the budget is spent on it.
          try {
            await event.instance.getSchema();
          } catch {
            return next();
          }
          if (admission.load.queued >= bounds.maxQueued) {
            onRefused('busy');
            return errorResult(503, REQUEST_BOUND_CODES.busy, 'The API is busy; retry in a moment.', retryAfter);
          }
          // A request still waiting when its budget is spent leaves the queue; one that started
          // keeps its slot until its work ends, so abandoned work still counts against the bound.
          const place = admission.enter();
          const work = place.entered.then(() => Promise.resolve(next()).finally(() => admission.leave()));
          let timer: NodeJS.Timeout | undefined;
          const budget = new Promise<Result>((resolve) => {
            timer = setTimeout(() => {
              place.cancel();
              onRefused('timeout');
              resolve(errorResult(503, REQUEST_BOUND_CODES.timeout, `The request did not finish within ${bounds.budgetMs} ms and was abandoned. Simplify it or ask for fewer rows.`, retryAfter));
            }, bounds.budgetMs);
          });
          // The losing side of the race must not surface as an unhandled rejection.
          work.catch(() => {});
          return Promise.race([work.then((result) => bound(result, bounds)), budget]).finally(() => clearTimeout(timer));
        },
      },
    },
  };
}
