// Express middleware in front of /graphql: it settles who the visitor is before any GraphQL runs,
// because PostGraphile turns errors thrown while building its context into HTTP 200 responses.
// No Authorization header: an anonymous visitor. A header we cannot verify: 401 (or 503 when
// Clerk's keys are unreachable), with a GraphQL-shaped JSON body that says why.
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { SessionClaims, SessionTokenVerifier } from './verifySessionToken.ts';

// Keyed by the request object itself: no global type augmentation, nothing outlives the request.
const verifiedClaims = new WeakMap<IncomingMessage, SessionClaims>();

/** The verified JWT claims of this request, or null for an anonymous visitor. */
export function claimsOf(req: IncomingMessage): SessionClaims | null {
  return verifiedClaims.get(req) ?? null;
}

function reject(res: Response, status: 401 | 503, reason: string, message: string): void {
  if (status === 401) {
    res.set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, "'")}"`);
  } else {
    res.set('Retry-After', '5');
  }
  res.status(status).json({ errors: [{ message, extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'UNAVAILABLE', reason } }] });
}

export function bearerAuth(verify: SessionTokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    if (!match) {
      return reject(res, 401, 'malformed-authorization-header', 'the Authorization header must be "Bearer <Clerk session token>"');
    }
    const outcome = await verify(match[1]);
    if (!outcome.ok) return reject(res, outcome.status, outcome.reason, `session token rejected: ${outcome.message}`);
    verifiedClaims.set(req, outcome.claims);
    next();
  };
}
