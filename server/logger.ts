// One pino logger for the whole process: JSON lines in production, pretty in a development
// terminal. Redaction is configured here so no call site can forget it.
import { pino } from 'pino';

/** Keys whose whole value is hidden, wherever a call site puts them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["svix-signature"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  'headers["svix-signature"]',
  'headers["webhook-signature"]',
  '*.password',
  '*.secret',
  '*.token',
  'payload',
  '*.payload',
  'body',
  '*.body',
];

/**
 * Values that must never reach a log line whichever field, message or error text carries them
 * (an SQL error quoting a row, a URL with a query string, a thrown message). Applied to the final
 * JSON text, after serializers, so it also covers what the key-based redaction cannot name.
 */
const SCRUBBERS: [RegExp, string][] = [
  [/whsec_[A-Za-z0-9+/=]+/g, '[secret]'],
  [/\b[sp]k_(?:live|test)_[A-Za-z0-9]+/g, '[secret]'],
  [/\bBearer\s+[^\s"',]+/gi, 'Bearer [redacted]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[jwt]'],
  [/\bv1[,=][A-Za-z0-9+/]{20,}={0,2}/g, '[signature]'],
  [/(postgres(?:ql)?:\/\/[^:/\s"@]+):[^@\s"]*@/g, '$1:[redacted]@'],
  [/[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi, '[email]'],
  [/(?:\+|%2B)\d[\d .()-]{6,}\d/gi, '[phone]'],
];

export function scrubSecrets(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of SCRUBBERS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/** A development terminal: one line per entry (a delivery, a request), its fields after the message. */
export const PRETTY_OPTIONS = { translateTime: 'SYS:HH:MM:ss', singleLine: true, ignore: 'pid,hostname' };

function wantsPrettyOutput(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV !== 'production' && env.NODE_ENV !== 'test' && Boolean(process.stdout.isTTY) && env.LOG_FORMAT !== 'json';
}

/** `destination` receives the JSON lines instead of stdout (tests read what would be logged). */
export function createLogger(env: NodeJS.ProcessEnv = process.env, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: scrubSecrets },
  };
  if (destination) return pino(options, destination);
  return pino({
    ...options,
    transport: wantsPrettyOutput(env) ? { target: 'pino-pretty', options: PRETTY_OPTIONS } : undefined,
  });
}

export type Logger = ReturnType<typeof createLogger>;
