// What the backfill reads from Clerk's Backend API, family by family, as the raw JSON Clerk sends
// in webhooks (the `data` of an event), with the event type each object is replayed as.
//
// Every list is paged with the largest page Clerk allows (500) in `+created_at` order: objects
// created during a run land after the cursor instead of shifting pages under it. Memberships and
// invitations are listed per organization (Clerk's per-organization endpoints), walking the
// organizations in the same order.
import type { Organization, OrganizationInvitation, OrganizationMembership, User } from '@clerk/backend';
import { withClerkRetry, type BackendApi, type RetryPolicy } from '../../server/clerk/backendApi.ts';

// @clerk/backend does not export its Role and Permission classes; take them from the list calls.
type Role = Awaited<ReturnType<BackendApi['organizationRoles']['getOrganizationRoleList']>>['data'][number];
type Permission = Awaited<ReturnType<BackendApi['organizationPermissions']['getOrganizationPermissionList']>>['data'][number];

export type ClerkJson = Record<string, unknown> & { id: string; object: string };

/**
 * Every family the backfill reads, in the order it runs them (roles before the memberships that
 * name them, organizations before their memberships and invitations): the `object` value Clerk
 * gives its objects (the seen set and deletions key on it) and the event family it is replayed as
 * (the prefix of the webhook types app_private.sync_clerk_event dispatches on).
 */
export const FAMILY_KINDS = {
  permissions: { objectKind: 'permission', eventFamily: 'permission' },
  roles: { objectKind: 'role', eventFamily: 'role' },
  users: { objectKind: 'user', eventFamily: 'user' },
  organizations: { objectKind: 'organization', eventFamily: 'organization' },
  memberships: { objectKind: 'organization_membership', eventFamily: 'organizationMembership' },
  invitations: { objectKind: 'organization_invitation', eventFamily: 'organizationInvitation' },
} as const satisfies Record<string, { objectKind: string; eventFamily: string }>;
export type FamilyName = keyof typeof FAMILY_KINDS;
export const FAMILIES = Object.keys(FAMILY_KINDS) as FamilyName[];

/** The families reconciliation can mark deleted, in the order it does so (organizations first: their memberships go with them). */
export const RECONCILED_FAMILIES = ['organizations', 'memberships', 'users'] as const satisfies readonly FamilyName[];
export type ReconciledFamily = (typeof RECONCILED_FAMILIES)[number];

export const MAX_PAGE_SIZE = 500;
/** Clerk's filters by id accept up to 100 values. */
export const MAX_IDS_PER_FILTER = 100;

export type Cursor = { offset: number } | { organizationOffset: number; offset: number };

export interface Page {
  objects: ClerkJson[];
  /** Where the next run should start once the first `applied` objects of this page are stored. */
  cursorAfter(applied: number): Cursor;
  /** Objects expected in the family so far, for progress (grows for per-organization families). */
  total?: number;
}

export interface ListContext {
  api: BackendApi;
  retry?: RetryPolicy;
  pageSize?: number;
  /** List only objects whose updated_at is at or after this (an incremental run). */
  since?: Date;
}

/** The `object` value of a family's objects: the ledger key, the seen set and deletions use it. */
export const OBJECT_KIND = Object.fromEntries(FAMILIES.map((family) => [family, FAMILY_KINDS[family].objectKind])) as Record<FamilyName, string>;

/** The webhook event a current object is replayed as: the one Clerk sends with this state. */
export function eventTypeFor(family: FamilyName, object: ClerkJson): string {
  // An invitation's state is its status; every other object's current state is an update.
  if (family === 'invitations') {
    return object.status === 'accepted' ? 'organizationInvitation.accepted' : object.status === 'revoked' ? 'organizationInvitation.revoked' : 'organizationInvitation.created';
  }
  return `${FAMILY_KINDS[family].eventFamily}.updated`;
}

// @clerk/backend keeps the JSON it parsed on users, organizations, memberships and invitations
// (`raw`); roles and permissions have no such copy, so their JSON is rebuilt field by field.
function rawOf(resource: User | Organization | OrganizationMembership | OrganizationInvitation): ClerkJson {
  if (!resource.raw) throw new Error(`@clerk/backend returned ${resource.id} without its JSON`);
  return resource.raw as unknown as ClerkJson;
}

function permissionJson(permission: Permission): ClerkJson {
  return {
    object: 'permission',
    id: permission.id,
    name: permission.name,
    key: permission.key,
    description: permission.description,
    // The SDK drops `type`; Clerk's system permissions are exactly the org:sys_* keys.
    type: permission.key.startsWith('org:sys_') ? 'system' : 'user',
    created_at: permission.createdAt,
    updated_at: permission.updatedAt,
  };
}

function roleJson(role: Role): ClerkJson {
  return {
    object: 'role',
    id: role.id,
    name: role.name,
    key: role.key,
    description: role.description,
    is_creator_eligible: role.isCreatorEligible,
    permissions: role.permissions.map(permissionJson),
    created_at: role.createdAt,
    updated_at: role.updatedAt,
  };
}

type OffsetList = (offset: number, limit: number) => Promise<{ data: ClerkJson[]; totalCount?: number }>;

async function* offsetPages(list: OffsetList, start: Cursor, limit: number): AsyncGenerator<Page> {
  let offset = start.offset;
  for (;;) {
    const { data, totalCount } = await list(offset, limit);
    const base = offset;
    yield { objects: data, total: totalCount, cursorAfter: (applied) => ({ offset: base + applied }) };
    if (data.length < limit) return;
    offset += data.length;
  }
}

type OrganizationChildList = (organizationId: string, offset: number, limit: number) => Promise<ClerkJson[]>;

async function* perOrganizationPages(
  context: ListContext,
  listChildren: OrganizationChildList,
  start: Cursor,
  limit: number,
  countOf: (organization: ClerkJson) => number | undefined,
): AsyncGenerator<Page> {
  const startOrganization = 'organizationOffset' in start ? start.organizationOffset : 0;
  let organizationOffset = startOrganization;
  let expected = 0;
  let countsKnown = true;
  for (;;) {
    const { data: organizations } = await listOrganizations(context, organizationOffset, limit);
    for (const organization of organizations) {
      const count = countOf(organization);
      if (count === undefined) countsKnown = false;
      else expected += count;
    }
    for (const [position, organization] of organizations.entries()) {
      const index = organizationOffset + position;
      let offset = index === startOrganization ? start.offset : 0;
      for (;;) {
        const children = await listChildren(organization.id, offset, limit);
        const base = offset;
        const last = children.length < limit;
        yield {
          objects: children,
          total: countsKnown ? expected : undefined,
          cursorAfter: (applied) =>
            last && applied === children.length ? { organizationOffset: index + 1, offset: 0 } : { organizationOffset: index, offset: base + applied },
        };
        if (last) break;
        offset += children.length;
      }
    }
    if (organizations.length < limit) return;
    organizationOffset += organizations.length;
  }
}

async function listOrganizations(context: ListContext, offset: number, limit: number) {
  const result = await withClerkRetry(
    `GET /organizations offset ${offset}`,
    () => context.api.organizations.getOrganizationList({ limit, offset, orderBy: '+created_at', includeMembersCount: true }),
    context.retry,
  );
  return { data: result.data.map(rawOf), totalCount: result.totalCount };
}

/**
 * Only the objects of each page changed at or after `since`. The cursor still counts every object
 * listed, so a checkpoint skips the unchanged ones too. A listing newest-change-first stops at the
 * first page that reaches past the cutoff.
 */
async function* changedSince(pages: AsyncGenerator<Page>, since: Date, newestFirst: boolean): AsyncGenerator<Page> {
  const cutoff = since.getTime();
  for await (const page of pages) {
    const kept = page.objects.flatMap((object, index) => (Number(object.updated_at) >= cutoff ? [{ object, index }] : []));
    yield {
      objects: kept.map(({ object }) => object),
      cursorAfter: (applied) => page.cursorAfter(applied < kept.length ? kept[applied].index : page.objects.length),
    };
    if (newestFirst && kept.length < page.objects.length) return;
  }
}

/**
 * The pages of one family from `start` on; with `context.since`, only what changed since then.
 * Users are then listed newest change first and paging stops at the cutoff; memberships come from
 * the instance-wide listing (one request per 500 instead of at least one per organization); the
 * other families cannot be ordered by updated_at in the Backend API, so they are listed in full
 * (few objects) and filtered.
 */
export function listFamily(family: FamilyName, context: ListContext, start: Cursor): AsyncGenerator<Page> {
  if (!context.since) return listAll(family, context, start);
  const limit = context.pageSize ?? MAX_PAGE_SIZE;
  const { api, retry } = context;
  switch (family) {
    case 'users':
      return changedSince(
        offsetPages(
          async (offset, pageLimit) => {
            const result = await withClerkRetry(`GET /users offset ${offset}`, () => api.users.getUserList({ limit: pageLimit, offset, orderBy: '-updated_at' }), retry);
            return { data: result.data.map(rawOf), totalCount: result.totalCount };
          },
          start,
          limit,
        ),
        context.since,
        true,
      );
    case 'memberships':
      return changedSince(
        offsetPages(
          async (offset, pageLimit) => {
            const result = await withClerkRetry(
              `GET /organization_memberships offset ${offset}`,
              () => api.organizations.getInstanceOrganizationMembershipList({ limit: pageLimit, offset, orderBy: '+created_at' }),
              retry,
            );
            return { data: result.data.map(rawOf), totalCount: result.totalCount };
          },
          start,
          limit,
        ),
        context.since,
        false,
      );
    default:
      return changedSince(listAll(family, context, start), context.since, false);
  }
}

/** Every object of one family from `start` on. */
function listAll(family: FamilyName, context: ListContext, start: Cursor): AsyncGenerator<Page> {
  const limit = context.pageSize ?? MAX_PAGE_SIZE;
  const { api, retry } = context;
  switch (family) {
    case 'permissions':
      return offsetPages(
        async (offset, pageLimit) => {
          const result = await withClerkRetry(`GET /organization_permissions offset ${offset}`, () => api.organizationPermissions.getOrganizationPermissionList({ limit: pageLimit, offset }), retry);
          return { data: result.data.map(permissionJson), totalCount: result.totalCount };
        },
        start,
        limit,
      );
    case 'roles':
      return offsetPages(
        async (offset, pageLimit) => {
          const result = await withClerkRetry(`GET /organization_roles offset ${offset}`, () => api.organizationRoles.getOrganizationRoleList({ limit: pageLimit, offset }), retry);
          return { data: result.data.map(roleJson), totalCount: result.totalCount };
        },
        start,
        limit,
      );
    case 'users':
      return offsetPages(
        async (offset, pageLimit) => {
          const result = await withClerkRetry(`GET /users offset ${offset}`, () => api.users.getUserList({ limit: pageLimit, offset, orderBy: '+created_at' }), retry);
          return { data: result.data.map(rawOf), totalCount: result.totalCount };
        },
        start,
        limit,
      );
    case 'organizations':
      return offsetPages((offset, pageLimit) => listOrganizations(context, offset, pageLimit), start, limit);
    case 'memberships':
      return perOrganizationPages(
        context,
        async (organizationId, offset, pageLimit) => {
          const result = await withClerkRetry(
            `GET /organizations/${organizationId}/memberships offset ${offset}`,
            () => api.organizations.getOrganizationMembershipList({ organizationId, limit: pageLimit, offset, orderBy: '+created_at' }),
            retry,
          );
          return result.data.map(rawOf);
        },
        start,
        limit,
        (organization) => (typeof organization.members_count === 'number' ? organization.members_count : undefined),
      );
    case 'invitations':
      return perOrganizationPages(
        context,
        async (organizationId, offset, pageLimit) => {
          const result = await withClerkRetry(
            `GET /organizations/${organizationId}/invitations offset ${offset}`,
            () => api.organizations.getOrganizationInvitationList({ organizationId, limit: pageLimit, offset }),
            retry,
          );
          return result.data.map(rawOf);
        },
        start,
        limit,
        () => undefined,
      );
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Of the given ids, those Clerk still has. Asked by id (up to 100 per request), not inferred from
 * the listing: an object created while the run was paging is not mistaken for a deleted one.
 */
export async function stillInClerk(
  family: ReconciledFamily,
  context: ListContext,
  candidates: { id: string; organizationId?: string; userId?: string }[],
): Promise<Set<string>> {
  const { api, retry } = context;
  const present = new Set<string>();
  if (family === 'users') {
    for (const ids of chunks(candidates.map((candidate) => candidate.id), MAX_IDS_PER_FILTER)) {
      const result = await withClerkRetry('GET /users by id', () => api.users.getUserList({ userId: ids, limit: MAX_IDS_PER_FILTER }), retry);
      for (const user of result.data) present.add(user.id);
    }
  } else if (family === 'organizations') {
    for (const ids of chunks(candidates.map((candidate) => candidate.id), MAX_IDS_PER_FILTER)) {
      const result = await withClerkRetry(
        'GET /organizations by id',
        () => api.organizations.getOrganizationList({ organizationId: ids, limit: MAX_IDS_PER_FILTER }),
        retry,
      );
      for (const organization of result.data) present.add(organization.id);
    }
  } else {
    const byOrganization = new Map<string, { id: string; userId: string }[]>();
    for (const candidate of candidates) {
      const list = byOrganization.get(candidate.organizationId!) ?? [];
      list.push({ id: candidate.id, userId: candidate.userId! });
      byOrganization.set(candidate.organizationId!, list);
    }
    for (const [organizationId, memberships] of byOrganization) {
      for (const batch of chunks(memberships, MAX_IDS_PER_FILTER)) {
        try {
          const result = await withClerkRetry(
            `GET /organizations/${organizationId}/memberships by user`,
            () => api.organizations.getOrganizationMembershipList({ organizationId, userId: batch.map((membership) => membership.userId), limit: MAX_IDS_PER_FILTER }),
            retry,
          );
          for (const membership of result.data) present.add(membership.id);
        } catch (error) {
          // The organization itself is gone: so are its memberships.
          if ((error as { status?: number }).status !== 404) throw error;
        }
      }
    }
  }
  return present;
}
