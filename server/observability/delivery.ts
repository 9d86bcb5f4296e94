// What the webhook route tells the rest of the server about one delivery. The route states the
// facts on the response; the request log line and the metrics read them from there, so each
// delivery is logged and counted exactly once, whichever branch of the route answered it.
import type { ServerResponse } from 'node:http';

/** Every outcome a delivery can be reported with: a ledger status, or the 503/500 answers. */
export const DELIVERY_OUTCOMES = ['processed', 'duplicate', 'stale', 'ignored', 'failed', 'unavailable', 'error'] as const;

export interface DeliveryReport {
  svixId: string;
  eventType: string;
  /** The Clerk id the event is about (`user_…`, `org_…`), when the payload names one. */
  objectId: string | null;
  /** A ledger status (processed, duplicate, stale, ignored, failed), `unavailable` (answered 503) or `error` (500). */
  outcome: string;
  /** Why processing failed; the logger scrubs personal data out of it. */
  error?: string;
  /** Why a delivery was ignored, when the database gave a reason (foreign_instance). */
  reason?: string;
}

/** Why a request was refused before it reached the ledger. */
export const VERIFICATION_FAILURE_REASONS = [
  'missing_headers',
  'bad_signature',
  'timestamp_out_of_tolerance',
  'malformed_headers',
  'body_too_large',
  'malformed_body',
] as const;
export type VerificationFailureReason = (typeof VERIFICATION_FAILURE_REASONS)[number];

interface Report {
  delivery?: DeliveryReport;
  verificationFailure?: VerificationFailureReason;
  refusal?: string;
}

/** Express's res.locals: Express gives every response it handles one before any middleware runs. */
const localsOf = (res: ServerResponse) => (res as ServerResponse & { locals: Report }).locals;

export function reportDelivery(res: ServerResponse, report: DeliveryReport): void {
  localsOf(res).delivery = report;
}

export function deliveryOf(res: ServerResponse): DeliveryReport | undefined {
  return localsOf(res).delivery;
}

export function markVerificationFailure(res: ServerResponse, reason: VerificationFailureReason): void {
  localsOf(res).verificationFailure = reason;
}

export function verificationFailureOf(res: ServerResponse): VerificationFailureReason | undefined {
  return localsOf(res).verificationFailure;
}

/** Why a request was refused (a rejected session token, a forbidden action): its log line says so. */
export function markRefusal(res: ServerResponse, reason: string): void {
  localsOf(res).refusal = reason;
}

export function refusalOf(res: ServerResponse): string | undefined {
  return localsOf(res).refusal;
}
