// Clerk's Backend API through @clerk/backend, with the retry policy the SDK leaves to its callers:
// @clerk/backend 3.x makes each request once and throws a ClerkAPIResponseError carrying `status`
// and `retryAfter` (parsed from the Retry-After header); a network failure arrives as the same
// error with no status. Rate limits (429) are waited out as Clerk asks; 5xx and network failures
// are retried with capped, jittered exponential backoff; every other 4xx is final.
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';

export type BackendApi = ClerkClient;

export function createBackendApi(options: { secretKey: string; apiUrl: string }): BackendApi {
  return createClerkClient({ secretKey: options.secretKey, apiUrl: options.apiUrl });
}

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; a longer one is capped (and counts as an attempt). */
  maxRetryAfterMs: number;
  onRetry?: (retry: { what: string; attempt: number; delayMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** The HTTP status of a Backend API failure, or undefined for a network failure or another error. */
export function clerkStatusOf(error: unknown): number | undefined {
  return isClerkAPIResponseError(error) ? error.status : undefined;
}

/** The first error message Clerk gave, for logs and CLI output (never the request itself). */
export function describeClerkError(error: unknown): string {
  if (isClerkAPIResponseError(error)) {
    const first = error.errors[0];
    const detail = first ? first.longMessage || first.message : error.message;
    return error.status ? `HTTP ${error.status}: ${detail}` : `network error: ${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function retryDelay(error: unknown, attempt: number, policy: RetryPolicy): { delayMs: number; reason: string } | null {
  if (!isClerkAPIResponseError(error)) return null;
  const { status, retryAfter } = error;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(backoff / 2 + Math.random() * (backoff / 2));
  if (status === 429) {
    if (retryAfter !== undefined && retryAfter >= 0) {
      return { delayMs: Math.min(retryAfter * 1000, policy.maxRetryAfterMs), reason: `rate limited (Retry-After ${retryAfter}s)` };
    }
    return { delayMs: jittered, reason: 'rate limited (no Retry-After)' };
  }
  if (status === undefined || status === 0) return { delayMs: jittered, reason: describeClerkError(error) };
  if (status >= 500) return { delayMs: jittered, reason: `HTTP ${status}` };
  return null;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs one Backend API call, retrying what Clerk says may be retried. */
export async function withClerkRetry<T>(what: string, call: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retry = attempt < policy.maxAttempts ? retryDelay(error, attempt, policy) : null;
      if (!retry) throw error;
      policy.onRetry?.({ what, attempt, delayMs: retry.delayMs, reason: retry.reason });
      await sleep(retry.delayMs);
    }
  }
}
