// Secrets for local development, generated on first use and kept under .data/ so that the
// embedded database and the development webhook secret stay the same across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSessionTokenKey } from './devSessionToken.ts';

export interface DevSecrets {
  postgresPassword: string;
  ownerPassword: string;
  authenticatorPassword: string;
  webhookSigningSecret: string;
  /** RS256 key the development server verifies `npm run dev:token` tokens with (PKCS#8 PEM). */
  sessionTokenPrivateKey: string;
}

const randomPassword = () => randomBytes(18).toString('base64url');

/** Same format Clerk's dashboard shows: `whsec_` + base64 of 24 random bytes. */
export const generateWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Reads .data/dev-secrets.json, creating what is missing; `generated` names the new ones. */
export function loadDevSecrets(dataDir: string): { secrets: DevSecrets; generated: (keyof DevSecrets)[] } {
  const file = path.join(dataDir, 'dev-secrets.json');
  const stored: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const generated: (keyof DevSecrets)[] = [];
  const take = (key: keyof DevSecrets, make: () => string) => {
    if (typeof stored[key] === 'string' && stored[key]) return stored[key];
    generated.push(key);
    return make();
  };
  const secrets: DevSecrets = {
    postgresPassword: take('postgresPassword', randomPassword),
    ownerPassword: take('ownerPassword', randomPassword),
    authenticatorPassword: take('authenticatorPassword', randomPassword),
    webhookSigningSecret: take('webhookSigningSecret', generateWebhookSecret),
    sessionTokenPrivateKey: take('sessionTokenPrivateKey', generateSessionTokenKey),
  };
  if (generated.length) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  }
  return { secrets, generated };
}
