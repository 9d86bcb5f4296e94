// Clerk-style session tokens for the benchmarks: an RS256 key pair made per run, the public half
// given to the server as CLERK_JWT_KEY (networkless verification), the private half signing tokens.
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TokenSigner {
  publicKeyPem: string;
  sign(claims: Record<string, unknown>, lifetimeSeconds?: number): string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function createTokenSigner(): TokenSigner {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (claims, lifetimeSeconds = 3600) => signRs256(privateKey, claims, lifetimeSeconds),
  };
}

function signRs256(privateKey: KeyObject, claims: Record<string, unknown>, lifetimeSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'ins_bench' }));
  const payload = base64url(JSON.stringify({ iat: now - 5, nbf: now - 5, exp: now + lifetimeSeconds, iss: 'https://clerk.bench.example', ...claims }));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}
