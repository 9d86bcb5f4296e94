// Clerk-like JWTs signed with a local RSA key pair (what CLERK_JWT_KEY verifies), in each claim
// shape the product reads, plus the forgeries a verifier must refuse. Plain node:crypto, so every
// byte of a token is under the test's control.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicPem: string;
  kid: string;
}

export function makeSigningKey(kid = 'ins_test_key'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), kid };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const TEST_ISSUER = 'https://clerk.test.example';
export const TEST_AZP = 'http://localhost:5173';

/** Registered claims Clerk puts in every session token, valid for a minute from now. */
export function sessionBase(userId: string): Record<string, unknown> {
  const now = nowSeconds();
  return { sub: userId, iss: TEST_ISSUER, azp: TEST_AZP, sid: 'sess_test', iat: now - 5, nbf: now - 10, exp: now + 60 };
}

type Header = Record<string, unknown>;

export function encodeToken(header: Header, payload: Record<string, unknown>, signature: (input: string) => Buffer): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(signature(input))}`;
}

/** RS256, as Clerk signs session tokens. */
export function signToken(key: SigningKey, payload: Record<string, unknown>, header: Header = {}): string {
  return encodeToken({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }, payload, (input) => sign('sha256', Buffer.from(input), key.privateKey));
}

/** The classic key-confusion forgery: HS256 with the RSA public key as the HMAC secret. */
export function signHs256WithPublicKey(key: SigningKey, payload: Record<string, unknown>): string {
  return encodeToken({ alg: 'HS256', typ: 'JWT', kid: key.kid }, payload, (input) => createHmac('sha256', key.publicPem).update(input).digest());
}

export function unsignedToken(payload: Record<string, unknown>): string {
  return encodeToken({ alg: 'none', typ: 'JWT' }, payload, () => Buffer.alloc(0));
}

/** Swaps the payload of a signed token for another one, keeping the original signature. */
export function withPayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url(JSON.stringify(payload))}.${signature}`;
}

export interface Membership {
  userId: string;
  orgId?: string;
  role?: string;
  permissions?: string[];
}

/** The seed's Neon custom JWT template (literal dotted keys). */
export function neonTemplateClaims({ userId, orgId, role, permissions }: Membership): Record<string, unknown> {
  return {
    ...sessionBase(userId),
    'user.id': userId,
    'org.id': orgId ?? '',
    'org.name': orgId ? `Name of ${orgId}` : '',
    'org.role': role ?? '',
    publicMetadata: { onboardingComplete: 'true' },
    'user.organizations': orgId ? { [orgId]: role } : {},
    'org_membership.permissions': permissions ?? [],
  };
}

/** Clerk session token v1. */
export function v1Claims({ userId, orgId, role, permissions }: Membership): Record<string, unknown> {
  return orgId
    ? { ...sessionBase(userId), org_id: orgId, org_slug: orgId.toLowerCase(), org_role: role, org_permissions: permissions ?? [] }
    : sessionBase(userId);
}

/**
 * Clerk session token v2: `o.rol` without the `org:` prefix, permissions packed as feature list
 * (`fea`), permission names (`o.per`) and one decimal bitmask per organization feature (`o.fpm`).
 */
export function v2Claims({ userId, orgId, role, permissions }: Membership): Record<string, unknown> {
  const base = { ...sessionBase(userId), v: 2 };
  if (!orgId) return base;
  const features: string[] = [];
  const names: string[] = [];
  for (const key of permissions ?? []) {
    const [, feature, name] = key.split(':');
    if (!features.includes(feature)) features.push(feature);
    if (!names.includes(name)) names.push(name);
  }
  const masks = features.map((feature) =>
    names.reduce((mask, name, index) => ((permissions ?? []).includes(`org:${feature}:${name}`) ? mask + 2n ** BigInt(index) : mask), 0n),
  );
  const o: Record<string, unknown> = { id: orgId, slg: orgId.toLowerCase(), rol: role?.replace(/^org:/, '') };
  if (names.length) {
    o.per = names.join(',');
    o.fpm = masks.join(',');
  }
  return { ...base, o, ...(features.length ? { fea: features.map((feature) => `o:${feature}`).join(',') } : {}) };
}

export const CLAIM_SHAPES = { neonTemplate: neonTemplateClaims, v1: v1Claims, v2: v2Claims } as const;
export type ClaimShape = keyof typeof CLAIM_SHAPES;
