// Verifies a Clerk session token (or a JWT from a Clerk JWT template) with @clerk/backend: the PEM
// public key when CLERK_JWT_KEY is set (networkless), otherwise Clerk's JWKS fetched with the
// secret key. The outcome is data, not an exception, so the HTTP layer can answer precisely.
import { verifyToken } from '@clerk/backend';
import { TokenVerificationErrorReason } from '@clerk/backend/errors';
import type { Config } from '../config.ts';

export type SessionClaims = Record<string, unknown>;

export type TokenVerification =
  | { ok: true; claims: SessionClaims }
  /** `status` 401 blames the token; 503 means the keys to judge it could not be fetched. */
  | { ok: false; status: 401 | 503; reason: string; message: string };

export type SessionTokenVerifier = (token: string) => Promise<TokenVerification>;

// Failures of Clerk's key endpoint say nothing about the token: the client should retry, not sign out.
const KEY_SOURCE_FAILURES = new Set<string>([TokenVerificationErrorReason.RemoteJWKFailedToLoad]);

/**
 * The active organization as each claim shape names it: `org_id` (v1), `o.id` (v2) and `"org.id"`
 * (the Neon JWT template). The SQL helpers read them in a fixed order, so a token naming two
 * different organizations (or one that is not a string) must not reach them: it is refused.
 */
function conflictingOrganization(claims: SessionClaims): string | null {
  const o = claims.o;
  const named = [claims.org_id, o && typeof o === 'object' ? (o as Record<string, unknown>).id : undefined, claims['org.id']].filter(
    (value) => value !== undefined && value !== null && value !== '',
  );
  if (named.some((value) => typeof value !== 'string')) return 'the session token names its organization with a value that is not a string';
  if (new Set(named).size > 1) return `the session token names more than one active organization (${[...new Set(named)].join(', ')})`;
  return null;
}

export function createSessionTokenVerifier(clerk: Config['clerk']): SessionTokenVerifier {
  if (!clerk.jwtKey && !clerk.secretKey) {
    return async () => ({
      ok: false,
      status: 401,
      reason: TokenVerificationErrorReason.JWKFailedToResolve,
      message: 'this server cannot verify session tokens: neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is configured',
    });
  }
  const options = {
    jwtKey: clerk.jwtKey,
    secretKey: clerk.jwtKey ? undefined : clerk.secretKey,
    apiUrl: clerk.apiUrl,
    authorizedParties: clerk.authorizedParties.length ? clerk.authorizedParties : undefined,
  };
  return async (token) => {
    try {
      const claims = (await verifyToken(token, options)) as SessionClaims;
      const conflict = conflictingOrganization(claims);
      if (conflict) return { ok: false, status: 401, reason: 'conflicting-organization-claims', message: conflict };
      return { ok: true, claims };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Duck-typed: @clerk/backend bundles its own copy of TokenVerificationError per entry point.
      const reason = (error as { reason?: unknown } | null)?.reason;
      // An error without a reason is not a verdict on the token (Clerk's JWKS endpoint unreachable…).
      if (typeof reason !== 'string') return { ok: false, status: 503, reason: 'verification-unavailable', message };
      return { ok: false, status: KEY_SOURCE_FAILURES.has(reason) ? 503 : 401, reason, message };
    }
  };
}
