// The entry-point module's pure parts: which SQLSTATEs are transient (the webhook route's 503, the
// admin actions' 503, the transaction retry all ask it), and the envelope of a synthesized event.
import { describe, expect, it } from '@jest/globals';
import { failureMessage, isTransientSqlState, sqlStateOf, synthesizedEnvelope } from '../../../server/database/clerkEvents.ts';

describe('isTransientSqlState', () => {
  it.each(['40001', '40P01', '53300', '53100', '57014', '57P01', '08006', '08001', '55P03'])('%s is transient', (code) => {
    expect(isTransientSqlState(code)).toBe(true);
  });
  it.each(['23505', '22P02', '42501', '55000', '55006', 'P0001', '40', '4000', 'ECONNREFUSED', undefined, 42])('%s is not', (code) => {
    expect(isTransientSqlState(code)).toBe(false);
  });
});

describe('sqlStateOf', () => {
  it('reads a SQLSTATE and nothing else', () => {
    expect(sqlStateOf(Object.assign(new Error('x'), { code: '40001' }))).toBe('40001');
    expect(sqlStateOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(sqlStateOf(new Error('no code'))).toBeUndefined();
    expect(sqlStateOf(null)).toBeUndefined();
  });
});

describe('synthesizedEnvelope', () => {
  it("is Clerk's envelope, with the caller's request when given", () => {
    expect(synthesizedEnvelope('user.updated', { id: 'user_1' }, 1700000000000)).toEqual({ type: 'user.updated', object: 'event', data: { id: 'user_1' }, timestamp: 1700000000000 });
    expect(synthesizedEnvelope('user.updated', { id: 'user_1' }, 1, { clientIp: '203.0.113.7', userAgent: 'curl/8' })).toEqual({
      type: 'user.updated',
      object: 'event',
      data: { id: 'user_1' },
      timestamp: 1,
      event_attributes: { http_request: { client_ip: '203.0.113.7', user_agent: 'curl/8' } },
    });
  });
});

describe('failureMessage', () => {
  it('names the SQLSTATE when the sync gave one', () => {
    expect(failureMessage({ status: 'failed', svix_id: 'k', error: { code: '22P02', message: 'invalid input' } })).toBe('invalid input (SQLSTATE 22P02)');
    expect(failureMessage({ status: 'failed', svix_id: 'k' })).toBe('failed');
  });
});
