// Session tokens for local development. Outside production, with neither CLERK_JWT_KEY nor
// CLERK_SECRET_KEY set, the server verifies tokens against a key pair kept in
// .data/dev-secrets.json, and `npm run dev:token` mints them: GraphQL can then be tried as the
// fixture story's users without a Clerk instance. Tokens look like Clerk's (RS256, v1 claims).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

export function generateSessionTokenKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The PEM public key CLERK_JWT_KEY would hold for this private key. */
export function sessionTokenPublicKey(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString().trim();
}

export interface DevSessionClaims {
  userId: string;
  orgId?: string;
  role?: string;
  permissions?: string[];
  ttlSeconds: number;
  /** The frontend origin Clerk would put in `azp`. */
  authorizedParty: string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function mintDevSessionToken(privateKeyPem: string, claims: DevSessionClaims, now: Date = new Date()): string {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload: Record<string, unknown> = {
    sub: claims.userId,
    iss: 'https://clerk-pg-sync.development.local',
    azp: claims.authorizedParty,
    sid: 'sess_development',
    iat: issuedAt,
    nbf: issuedAt - 5,
    exp: issuedAt + claims.ttlSeconds,
    ...(claims.orgId && { org_id: claims.orgId, org_role: claims.role, org_permissions: claims.permissions ?? [] }),
  };
  const input = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'development' }))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), createPrivateKey(privateKeyPem)))}`;
}
