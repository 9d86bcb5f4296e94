// Requests that fail signature verification are limited per client address; verified
// deliveries never touch the limiter, so a noisy neighbour behind the same address (or an
// attacker replaying junk) cannot delay Clerk's real deliveries.
import type { Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Metrics } from './metrics.ts';
import { markVerificationFailure, type VerificationFailureReason } from './delivery.ts';

export interface VerificationLimiterOptions {
  /** Failed verifications allowed per address within the window before answers turn into 429. */
  failures: number;
  windowSeconds: number;
}

export interface VerificationLimiter {
  /**
   * Answers a request that failed verification: 400 with `message`, or 429 with Retry-After once
   * its address has failed too often. Call it only on the failure path.
   */
  refuse(req: Request, res: Response, reason: VerificationFailureReason, message: string): Promise<void>;
}

/** Maps the svix library's verification errors to a metric label. */
export function verificationFailureReason({ message }: Error): VerificationFailureReason {
  if (/missing required headers/i.test(message)) return 'missing_headers';
  if (/timestamp too (old|new)/i.test(message)) return 'timestamp_out_of_tolerance';
  if (/invalid signature headers/i.test(message)) return 'malformed_headers';
  return 'bad_signature';
}

export function createVerificationLimiter(options: VerificationLimiterOptions, metrics: Pick<Metrics, 'rateLimited'>): VerificationLimiter {
  const limiter = new RateLimiterMemory({ points: options.failures, duration: options.windowSeconds });
  return {
    async refuse(req, res, reason, message) {
      markVerificationFailure(res, reason);
      try {
        // req.ip is the socket's address (or the proxy's client, with TRUST_PROXY); gone only with the socket.
        await limiter.consume(req.ip ?? 'unknown');
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        metrics.rateLimited.inc();
        res.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
        res.status(429).json({ error: 'too many requests from this address failed verification; retry later' });
        return;
      }
      res.status(400).json({ error: message });
    },
  };
}
