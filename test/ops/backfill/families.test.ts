// Paging each family out of the fake Backend API, and the cursors a checkpoint stores.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBackendApi } from '../../../server/clerk/backendApi.ts';
import { eventTypeFor, listFamily, stillInClerk, type ClerkJson, type Cursor, type FamilyName, type Page } from '../../../ops/backfill/families.ts';
import { FakeClerkBackendApi } from '../../fakes/clerkBackendApi.ts';
import { permissionsOfRole, ROLE_MATRIX } from '../../fixtures/roleMatrix.ts';

const fake = new FakeClerkBackendApi();
let context: { api: ReturnType<typeof createBackendApi>; pageSize: number };

beforeAll(async () => {
  fake.seed({ users: 16, organizations: 3, memberships: 9 });
  context = { api: createBackendApi({ secretKey: fake.secretKey, apiUrl: await fake.start() }), pageSize: 5 };
});
afterAll(() => fake.stop());

async function pagesOf(family: FamilyName, start: Cursor): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of listFamily(family, context, start)) pages.push(page);
  return pages;
}

describe('listFamily', () => {
  it('pages users oldest first with the total, as raw webhook-shaped JSON', async () => {
    const pages = await pagesOf('users', { offset: 0 });
    expect(pages.map((page) => page.objects.length)).toEqual([5, 5, 5, 1]);
    expect(pages[0].total).toBe(16);
    const ids = pages.flatMap((page) => page.objects.map((user) => user.id));
    expect(ids).toEqual(fake.snapshot().users.map((user) => user.id));
    expect(pages[0].objects[0]).toMatchObject({ object: 'user', email_addresses: [expect.objectContaining({ object: 'email_address' })] });
    expect(pages[1].cursorAfter(2)).toEqual({ offset: 7 });
    expect((await pagesOf('users', { offset: 14 })).flatMap((page) => page.objects.map((user) => user.id))).toEqual(ids.slice(14));
  });

  it('pages memberships per organization; a finished organization moves the cursor to the next one', async () => {
    const pages = await pagesOf('memberships', { organizationOffset: 0, offset: 0 });
    expect(pages.map((page) => page.objects.length)).toEqual([3, 3, 3]);
    expect(pages[0].total).toBe(9);
    expect(pages[0].cursorAfter(2)).toEqual({ organizationOffset: 0, offset: 2 });
    expect(pages[0].cursorAfter(3)).toEqual({ organizationOffset: 1, offset: 0 });
    const resumed = await pagesOf('memberships', { organizationOffset: 1, offset: 2 });
    expect(resumed.flatMap((page) => page.objects.map((membership) => membership.id))).toEqual(
      pages.slice(1).flatMap((page) => page.objects.map((membership) => membership.id)).slice(2),
    );
  });

  it('rebuilds roles and permissions as their webhook JSON (the SDK keeps no raw copy of them)', async () => {
    const roles = (await pagesOf('roles', { offset: 0 })).flatMap((page) => page.objects);
    expect(roles.map((role) => role.key).sort()).toEqual(Object.keys(ROLE_MATRIX).sort());
    const dispatcher = roles.find((role) => role.key === 'org:dispatcher') as ClerkJson & { permissions: ClerkJson[] };
    expect(dispatcher).toMatchObject({ object: 'role', name: 'Dispatcher', created_at: expect.any(Number), updated_at: expect.any(Number) });
    expect(dispatcher.permissions.map((permission) => permission.key)).toEqual(permissionsOfRole('org:dispatcher'));
    expect(dispatcher.permissions[0]).toMatchObject({ object: 'permission', id: expect.stringMatching(/^perm_/) });
    const permissions = (await pagesOf('permissions', { offset: 0 })).flatMap((page) => page.objects);
    expect(permissions).toHaveLength(new Set(Object.values(ROLE_MATRIX).flatMap((role) => role.permissions)).size);
    expect(eventTypeFor('roles', dispatcher)).toBe('role.updated');
  });

  it('walks every organization for invitations even when none has any', async () => {
    const pages = await pagesOf('invitations', { organizationOffset: 0, offset: 0 });
    expect(pages.map((page) => page.objects.length)).toEqual([0, 0, 0]);
    expect(pages[2].cursorAfter(0)).toEqual({ organizationOffset: 3, offset: 0 });
    expect(eventTypeFor('invitations', { id: 'orginv_1', object: 'organization_invitation', status: 'revoked' })).toBe('organizationInvitation.revoked');
  });
});

describe('stillInClerk', () => {
  it('asks Clerk by id which candidates still exist', async () => {
    const { users, organizations, memberships } = fake.snapshot() as Record<string, Record<string, any>[]>;
    expect(await stillInClerk('users', context, [{ id: users[0].id }, { id: 'user_gone' }])).toEqual(new Set([users[0].id]));
    expect(await stillInClerk('organizations', context, [{ id: organizations[1].id }, { id: 'org_gone' }])).toEqual(new Set([organizations[1].id]));
    const member = memberships[4];
    const present = await stillInClerk('memberships', context, [
      { id: member.id, organizationId: member.organization.id, userId: member.public_user_data.user_id },
      { id: 'orgmem_gone', organizationId: member.organization.id, userId: 'user_gone' },
      { id: 'orgmem_of_gone_org', organizationId: 'org_gone', userId: users[0].id },
    ]);
    expect(present).toEqual(new Set([member.id]));
  });
});
