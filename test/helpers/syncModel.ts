// An independent model of the sync rules for users, organizations and memberships, written from
// the documented guarantees rather than from the SQL: the newest version of an object wins (an
// embedded copy counting just before its own event of the same version), the earliest deletion
// stays and nothing deleted comes back, a deleted user keeps no personal data, deleting a user or
// an organization ends its memberships, and a membership that arrives first leaves placeholder
// rows for its user (showing its public_user_data) and organization. The convergence property compares the
// database with it field by field, beside comparing it with in-order application.

export interface ModelEvent {
  payload: { type: string; data: Record<string, any> };
  effectiveAt: number;
}

export interface ModelState {
  users: Array<{ id: string; first_name: string | null; last_name: string | null; username: string | null; email: string | null; deleted: boolean }>;
  organizations: Array<{ id: string; name: string | null; slug: string | null; max_allowed_memberships: number | null; deleted: boolean }>;
  organization_memberships: Array<{ id: string; organization_id: string; user_id: string; role: string | null; deleted: boolean }>;
}

interface History {
  newest: { at: number; data: Record<string, any> } | null;
  deleted: boolean;
}

/** Whole objects other events embed, as versions of their own: a membership's organization, a session's user. */
const EMBEDDED: Record<string, { carrier: string; key: string }> = {
  organization: { carrier: 'organizationMembership', key: 'organization' },
  user: { carrier: 'session', key: 'user' },
};

function histories(events: ModelEvent[], family: string): Map<string, History> {
  const byId = new Map<string, History>();
  const offer = (id: string, at: number, data: Record<string, any> | null, deletes: boolean) => {
    const history = byId.get(id) ?? { newest: null, deleted: false };
    if (deletes) history.deleted = true;
    else if (data && (!history.newest || at > history.newest.at)) history.newest = { at, data };
    byId.set(id, history);
  };
  for (const { payload, effectiveAt } of events) {
    const [eventFamily, action] = payload.type.split('.');
    if (eventFamily === family) offer(payload.data.id, effectiveAt, payload.data, action === 'deleted');
    // An embedded copy counts just before its updated_at: the object's own event of that version wins.
    const embedded = EMBEDDED[family];
    const copy = embedded && eventFamily === embedded.carrier ? payload.data[embedded.key] : undefined;
    if (copy && typeof copy.updated_at === 'number') offer(copy.id, copy.updated_at - 0.001, copy, false);
  }
  return byId;
}

const byId = <T extends { id: string }>(rows: T[]) => rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export function modelState(events: ModelEvent[]): ModelState {
  const users = histories(events, 'user');
  const organizations = histories(events, 'organization');
  const memberships = histories(events, 'organizationMembership');
  const placeholder: History = { newest: null, deleted: false };
  // Memberships, invitations and domains need their parents: each leaves a placeholder for one it
  // names that has not arrived (sessions and billing do not).
  const parentsOf = (type: string, data: Record<string, any>): { user?: string; organization?: string } => {
    switch (type.split('.')[0]) {
      case 'organizationMembership':
        return { user: data.public_user_data?.user_id, organization: data.organization?.id };
      case 'organizationInvitation':
      case 'organizationDomain':
        return { organization: data.organization_id };
      default:
        return {};
    }
  };
  // A membership's public_user_data stands in on a user placeholder (no version, not deleted).
  const snapshots = new Map<string, Record<string, any>>();
  for (const { payload } of events) {
    const { user, organization } = parentsOf(payload.type, payload.data);
    if (user && !users.has(user)) users.set(user, placeholder);
    if (organization && !organizations.has(organization)) organizations.set(organization, placeholder);
    if (user && payload.data.public_user_data) snapshots.set(user, payload.data.public_user_data);
  }
  return {
    users: byId(
      [...users].map(([id, { newest, deleted }]) => {
        if (!deleted && !newest && snapshots.has(id)) {
          const snapshot = snapshots.get(id)!;
          const email = typeof snapshot.identifier === 'string' && snapshot.identifier.includes('@') ? snapshot.identifier : null;
          return { id, first_name: snapshot.first_name ?? null, last_name: snapshot.last_name ?? null, username: null, email, deleted };
        }
        const data = deleted ? undefined : newest?.data;
        const primary = data?.email_addresses?.find((address: any) => address.id === data.primary_email_address_id);
        return {
          id,
          first_name: data?.first_name ?? null,
          last_name: data?.last_name ?? null,
          username: data?.username ?? null,
          email: primary?.email_address ?? null,
          deleted,
        };
      }),
    ),
    organizations: byId(
      [...organizations].map(([id, { newest, deleted }]) => ({
        id,
        name: newest?.data.name ?? null,
        slug: newest?.data.slug ?? null,
        max_allowed_memberships: newest?.data.max_allowed_memberships ?? null,
        deleted,
      })),
    ),
    organization_memberships: byId(
      [...memberships].flatMap(([id, { newest, deleted }]) => {
        if (!newest) return [];
        const organizationId = newest.data.organization.id;
        const userId = newest.data.public_user_data.user_id;
        return [{
          id,
          organization_id: organizationId,
          user_id: userId,
          role: newest.data.role ?? null,
          deleted: deleted || users.get(userId)!.deleted || organizations.get(organizationId)!.deleted,
        }];
      }),
    ),
  };
}

/** The same fields of the database's synced rows (as syncedState returns them). */
export function observedState(state: Record<string, any[]>): ModelState {
  return {
    users: byId(state.users.map((row) => ({ id: row.id, first_name: row.first_name, last_name: row.last_name, username: row.username, email: row.email, deleted: row.deleted_at !== null }))),
    organizations: byId(
      state.organizations.map((row) => ({ id: row.id, name: row.name, slug: row.slug, max_allowed_memberships: row.max_allowed_memberships, deleted: row.deleted_at !== null })),
    ),
    organization_memberships: byId(
      state.organization_memberships.map((row) => ({ id: row.id, organization_id: row.organization_id, user_id: row.user_id, role: row.role, deleted: row.deleted_at !== null })),
    ),
  };
}
