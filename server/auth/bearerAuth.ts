// The one gate for session tokens, in front of /graphql and the admin routes: it settles who the
// visitor is before any handler runs (PostGraphile would turn an error thrown while building its
// context into an HTTP 200). No Authorization header: an anonymous visitor, which each route then
// accepts or refuses. A header we cannot verify: 401 (or 503 when Clerk's keys are unreachable),
// in the answer shape of the route it guards, saying why.
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { markRefusal } from '../observability/delivery.ts';
import type { SessionClaims, SessionTokenVerifier, TokenVerification } from './verifySessionToken.ts';

// Keyed by the request object itself: no global type augmentation, nothing outlives the request.
const verifiedClaims = new WeakMap<IncomingMessage, SessionClaims>();

/** The verified JWT claims of this request, or null for an anonymous visitor. */
export function claimsOf(req: IncomingMessage): SessionClaims | null {
  return verifiedClaims.get(req) ?? null;
}

export interface Refusal {
  /** 401 blames the token; 503 means the keys to judge it could not be fetched. */
  status: 401 | 503;
  reason: string;
  message: string;
}

/** Writes the body of a refusal; the status and the WWW-Authenticate/Retry-After headers are set already. */
export type RefusalBody = (res: Response, refusal: Refusal) => void;

/** GraphQL's shape: `{errors: [{message, extensions: {code, reason}}]}`. */
export const graphqlRefusal: RefusalBody = (res, { status, reason, message }) => {
  res.json({ errors: [{ message, extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'UNAVAILABLE', reason } }] });
};

const BEARER = /^Bearer +([^\s]+) *$/i;

/** Records the verified claims of a request authenticated elsewhere (a websocket's connection_init). */
export function rememberClaims(req: IncomingMessage, claims: SessionClaims): void {
  verifiedClaims.set(req, claims);
}

/**
 * Judges an `Authorization` value (`Bearer <token>`) the way the middleware below does: the same
 * parsing, the app's one verifier. For transports without Express middleware (websockets).
 */
export async function authenticate(header: string, verify: SessionTokenVerifier): Promise<TokenVerification> {
  const match = BEARER.exec(header);
  if (!match) return { ok: false, status: 401, reason: 'malformed-authorization-header', message: 'the Authorization header must be "Bearer <Clerk session token>"' };
  return verify(match[1]);
}

/** Verifies the Bearer token with the app's one verifier; `body` shapes refusals for the guarded route. */
export function bearerAuth(verify: SessionTokenVerifier, body: RefusalBody = graphqlRefusal) {
  const refuse = (res: Response, refusal: Refusal) => {
    markRefusal(res, `${refusal.reason}: ${refusal.message}`);
    if (refusal.status === 401) {
      res.set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${refusal.message.replace(/["\\]/g, "'")}"`);
    } else {
      res.set('Retry-After', '5');
    }
    res.status(refusal.status);
    body(res, refusal);
  };
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const match = BEARER.exec(header);
    if (!match) {
      return refuse(res, { status: 401, reason: 'malformed-authorization-header', message: 'the Authorization header must be "Bearer <Clerk session token>"' });
    }
    const outcome = await verify(match[1]);
    if (!outcome.ok) return refuse(res, { status: outcome.status, reason: outcome.reason, message: `session token rejected: ${outcome.message}` });
    verifiedClaims.set(req, outcome.claims);
    next();
  };
}
