// One pino logger for the whole process: JSON lines in production, pretty in a development
// terminal. Redaction is configured here so no call site can forget it.
import { pino } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["svix-signature"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  '*.password',
  '*.secret',
  '*.token',
];

function wantsPrettyOutput(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV !== 'production' && env.NODE_ENV !== 'test' && Boolean(process.stdout.isTTY) && env.LOG_FORMAT !== 'json';
}

export function createLogger(env: NodeJS.ProcessEnv = process.env) {
  return pino({
    level: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: wantsPrettyOutput(env) ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } : undefined,
  });
}

export type Logger = ReturnType<typeof createLogger>;
