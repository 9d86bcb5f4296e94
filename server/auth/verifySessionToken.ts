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
      return { ok: true, claims: (await verifyToken(token, options)) as SessionClaims };
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
