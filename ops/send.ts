// `webhooks send`: signs fixture payloads exactly as Svix does and posts them, so the whole
// pipeline can be exercised locally without a tunnel. Duplicates (--repeat) reuse the message
// id with a fresh timestamp and signature, as Svix retries do; --shuffle rehearses disorder.
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { svixSignatureHeaders } from '../support/svixSignature.ts';

export const FIXTURES_DIR = path.join(process.cwd(), 'test', 'fixtures', 'clerk');

export interface Fixture {
  file: string;
  /** The bytes sent and signed, exactly as stored. */
  body: string;
  type: string;
  /** Envelope timestamp (ms) when present: the order a folder is sent in. */
  timestamp: number | null;
}

export interface Message {
  fixture: Fixture;
  svixId: string;
}

export interface SendResult {
  message: Message;
  status: number;
  /** The `status` of the JSON answer (processed, duplicate…), or `refused` when there is none. */
  answer: string;
  /** Why it was refused: the answer's `error`, or its raw text. */
  detail?: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A message id shaped like Svix's (`msg_` + 27 base62 characters). */
export function newMessageId(): string {
  const bytes = randomBytes(27);
  return `msg_${Array.from(bytes, (byte) => BASE62[byte % 62]).join('')}`;
}

function readFixture(file: string): Fixture {
  const body = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const envelope = parsed as { type?: unknown; timestamp?: unknown };
  if (typeof envelope?.type !== 'string' || !envelope.type) throw new Error(`${file} has no "type": a Clerk webhook body looks like {"type": "user.created", "data": {…}}`);
  return { file, body, type: envelope.type, timestamp: typeof envelope.timestamp === 'number' ? envelope.timestamp : null };
}

function fixtureTypes(): string {
  if (!existsSync(FIXTURES_DIR)) return '';
  const names = readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -5));
  return names.length ? ` Known types: ${names.join(', ')}.` : '';
}

/** A file, a folder (its *.json, oldest event first) or a type name (test/fixtures/clerk/<type>.json). */
export function resolveFixtures(targets: string[]): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const target of targets) {
    if (existsSync(target) && statSync(target).isDirectory()) {
      const inFolder = readdirSync(target)
        .filter((name) => name.endsWith('.json'))
        .map((name) => readFixture(path.join(target, name)));
      if (!inFolder.length) throw new Error(`folder ${target} holds no .json fixtures`);
      inFolder.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || a.file.localeCompare(b.file));
      fixtures.push(...inFolder);
      continue;
    }
    const candidates = [target, path.join(FIXTURES_DIR, `${target}.json`), path.join(FIXTURES_DIR, target)];
    const file = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    if (!file) throw new Error(`no fixture "${target}": not a file or folder, and no ${path.relative(process.cwd(), FIXTURES_DIR)}/${target}.json.${fixtureTypes()}`);
    fixtures.push(readFixture(file));
  }
  return fixtures;
}

/** Each fixture gets its own message id, sent `repeat` times; shuffled as a whole when asked. */
export function planMessages(fixtures: Fixture[], options: { repeat: number; shuffle: boolean }): Message[] {
  const messages = fixtures.flatMap((fixture) => {
    const svixId = newMessageId();
    return Array.from({ length: options.repeat }, () => ({ fixture, svixId }));
  });
  if (options.shuffle) {
    for (let i = messages.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [messages[i], messages[j]] = [messages[j], messages[i]];
    }
  }
  return messages;
}

export function signedHeaders(secret: string, svixId: string, body: string, at: Date = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'clerk-pg-sync webhooks send (Svix-compatible signature)',
    ...svixSignatureHeaders(secret, svixId, body, { timestamp: at }),
  };
}

export async function sendMessage(url: string, secret: string, message: Message): Promise<SendResult> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: signedHeaders(secret, message.svixId, message.fixture.body), body: message.fixture.body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`could not reach ${url} (${cause?.code ?? cause?.message ?? (error as Error).message}): is the server running (npm start)?`);
  }
  const text = await response.text();
  let parsed: { status?: unknown; error?: unknown } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page, say): shown as it came.
  }
  const answer = typeof parsed.status === 'string' ? parsed.status : 'refused';
  const detail = parsed.error === undefined ? (answer === 'refused' ? text.slice(0, 200) : undefined) : String(parsed.error);
  return { message, status: response.status, answer, ...(detail && { detail }) };
}

const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** --secret, else the server's own sources: CLERK_WEBHOOK_SIGNING_SECRET (first), then the development secret. */
export function resolveSigningSecret(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = (env.CLERK_WEBHOOK_SIGNING_SECRET ?? env.CLERK_WEBHOOK_SECRET)?.split(/\s+/).find(Boolean);
  const devFile = path.resolve(env.DATA_DIR ?? '.data', 'dev-secrets.json');
  let secret = explicit ?? fromEnv;
  if (!secret && existsSync(devFile)) {
    secret = (JSON.parse(readFileSync(devFile, 'utf8')) as { webhookSigningSecret?: string }).webhookSigningSecret;
  }
  if (!secret) {
    throw new Error(`no signing secret: pass --secret whsec_…, set CLERK_WEBHOOK_SIGNING_SECRET, or start the server once (npm start) so it generates ${path.relative(process.cwd(), devFile)}`);
  }
  if (!SECRET_FORMAT.test(secret)) throw new Error('the signing secret must look like whsec_<base64>, as the Clerk dashboard shows it');
  return secret;
}
