// The fake Backend API through the real @clerk/backend client, and the retry policy around it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBackendApi, withClerkRetry, type RetryPolicy } from '../../../server/clerk/backendApi.ts';
import { FakeClerkBackendApi } from '../../fakes/clerkBackendApi.ts';

const fake = new FakeClerkBackendApi();
let api: ReturnType<typeof createBackendApi>;

beforeAll(async () => {
  fake.seed({ users: 23, organizations: 4, memberships: 12 });
  api = createBackendApi({ secretKey: fake.secretKey, apiUrl: await fake.start() });
});
afterAll(() => fake.stop());

function recordingPolicy(overrides: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  const policy: RetryPolicy = {
    maxAttempts: 5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 60_000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  };
  return { policy, waits };
}

describe('the fake Backend API, as @clerk/backend reads it', () => {
  it('pages users as a bare array with the total from /v1/users/count', async () => {
    const first = await api.users.getUserList({ limit: 10, orderBy: '+created_at' });
    const last = await api.users.getUserList({ limit: 10, offset: 20, orderBy: '+created_at' });
    expect(first.totalCount).toBe(23);
    expect(first.data).toHaveLength(10);
    expect(last.data).toHaveLength(3);
    expect(first.data[0].raw).toMatchObject({ object: 'user', id: first.data[0].id });
    expect(first.data[0].createdAt).toBeLessThan(last.data[2].createdAt);
    const newestFirst = await api.users.getUserList({ limit: 1 });
    expect(newestFirst.data[0].id).toBe(last.data[2].id);
  });

  it('answers organizations and memberships as {data, total_count} with embedded objects', async () => {
    const organizations = await api.organizations.getOrganizationList({ limit: 500, includeMembersCount: true });
    expect(organizations.totalCount).toBe(4);
    expect(organizations.data.map((organization) => organization.membersCount)).toEqual([3, 3, 3, 3]);
    const memberships = await api.organizations.getOrganizationMembershipList({ organizationId: organizations.data[0].id, limit: 500 });
    expect(memberships.totalCount).toBe(3);
    const raw = memberships.data[0].raw as unknown as Record<string, any>;
    expect(raw.object).toBe('organization_membership');
    expect(raw.organization).toMatchObject({ object: 'organization', id: organizations.data[0].id });
    expect(raw.organization).not.toHaveProperty('private_metadata');
    expect(raw.public_user_data.user_id).toMatch(/^user_/);
  });

  it('sends Content-Type exactly application/json (the SDK parses nothing else)', async () => {
    const response = await fetch(`${fake.url}/v1/users?limit=1`, { headers: { Authorization: `Bearer ${fake.secretKey}` } });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(Array.isArray(await response.json())).toBe(true);
  });

  it('rejects a wrong secret key, an oversized page and an unknown id the way Clerk does', async () => {
    const wrongKey = createBackendApi({ secretKey: 'sk_test_wrong', apiUrl: fake.url });
    await expect(wrongKey.users.getUser('user_x')).rejects.toMatchObject({ status: 401 });
    await expect(api.users.getUserList({ limit: 501 })).rejects.toMatchObject({ status: 422 });
    await expect(api.users.getUser('user_missing')).rejects.toMatchObject({ status: 404, errors: [expect.objectContaining({ code: 'resource_not_found' })] });
  });

  it('changes a membership role with PATCH and answers the updated membership', async () => {
    const membership = fake.snapshot().memberships[1] as Record<string, any>;
    const updated = await api.organizations.updateOrganizationMembership({
      organizationId: membership.organization.id,
      userId: membership.public_user_data.user_id,
      role: 'org:driver',
    });
    expect(updated.role).toBe('org:driver');
    expect(updated.permissions).toContain('org:driver:log_hos');
    expect(updated.updatedAt).toBeGreaterThan(membership.updated_at);
  });
});

describe('withClerkRetry', () => {
  it('waits exactly the Retry-After of a 429, then succeeds', async () => {
    fake.injectFault({ status: 429, retryAfter: 7, count: 2, match: (request) => request.path === '/v1/organizations' });
    const { policy, waits } = recordingPolicy();
    const result = await withClerkRetry('list', () => api.organizations.getOrganizationList({ limit: 1 }), policy);
    expect(result.data).toHaveLength(1);
    expect(waits).toEqual([7000, 7000]);
  });

  it('retries 5xx with growing backoff and gives up after maxAttempts', async () => {
    fake.injectFault({ status: 503, count: 2, match: (request) => request.path === '/v1/organizations' });
    const { policy, waits } = recordingPolicy();
    await withClerkRetry('list', () => api.organizations.getOrganizationList({ limit: 1 }), policy);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);

    fake.injectFault({ status: 500, count: 3, match: (request) => request.path === '/v1/organizations' });
    const limited = recordingPolicy({ maxAttempts: 3 });
    await expect(withClerkRetry('list', () => api.organizations.getOrganizationList({ limit: 1 }), limited.policy)).rejects.toMatchObject({ status: 500 });
    expect(limited.waits).toHaveLength(2);
  });

  it('does not retry other 4xx', async () => {
    const { policy, waits } = recordingPolicy();
    await expect(withClerkRetry('get', () => api.users.getUser('user_missing'), policy)).rejects.toMatchObject({ status: 404 });
    expect(waits).toEqual([]);
  });

  it('retries a network failure', async () => {
    const unreachable = createBackendApi({ secretKey: 'sk_test_x', apiUrl: 'http://127.0.0.1:9' });
    const { policy, waits } = recordingPolicy({ maxAttempts: 2 });
    await expect(withClerkRetry('get', () => unreachable.users.getUser('user_x'), policy)).rejects.toThrow();
    expect(waits).toHaveLength(1);
  });
});
