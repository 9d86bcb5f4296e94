// The log as a developer sees it in a terminal (pino-pretty with the server's options): one line
// per request or delivery, fields included, instead of a block per entry.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { PRETTY_OPTIONS } from '../../server/logger.ts';

describe('pretty logs in a development terminal', () => {
  it('write a delivery and a refused request as one line each', async () => {
    let output = '';
    const destination = new Writable({ write: (chunk, _encoding, done) => ((output += chunk), done()) });
    const logger = pino({ level: 'info' }, pretty({ ...PRETTY_OPTIONS, colorize: false, sync: true, destination }));
    logger.info(
      { req: { id: 'a1', method: 'POST', url: '/api/webhooks/clerk', ip: '127.0.0.1' }, res: { statusCode: 200 }, durationMs: 12, svixId: 'msg_1', eventType: 'user.created', objectId: 'user_1', outcome: 'processed' },
      'delivery processed',
    );
    logger.warn({ req: { id: 'a2', method: 'POST', url: '/graphql' }, res: { statusCode: 401 }, refusal: 'token-expired: session token rejected' }, 'POST /graphql 401');
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: delivery processed .*"svixId":"msg_1".*"outcome":"processed"/);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: POST \/graphql 401 .*"refusal":"token-expired: session token rejected"/);
    expect(output).not.toMatch(/"pid"|"hostname"/);
  });
});
