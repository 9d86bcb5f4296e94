// An independent model of the sync rules for users, organizations and memberships, written from
// the documented guarantees rather than from the SQL: the newest version of an object wins, the
// earliest deletion stays and nothing deleted comes back, a deleted user keeps no personal data,
// deleting a user or an organization ends its memberships, and a membership that arrives first
// leaves placeholder rows for its user and organization. The convergence property compares the
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

function histories(events: ModelEvent[], family: string): Map<string, History> {
  const byId = new Map<string, History>();
  for (const { payload, effectiveAt } of events) {
    const [eventFamily, action] = payload.type.split('.');
    if (eventFamily !== family) continue;
    const history = byId.get(payload.data.id) ?? { newest: null, deleted: false };
    if (action === 'deleted') history.deleted = true;
    else if (!history.newest || effectiveAt > history.newest.at) history.newest = { at: effectiveAt, data: payload.data };
    byId.set(payload.data.id, history);
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
  for (const { payload } of events) {
    const { user, organization } = parentsOf(payload.type, payload.data);
    if (user && !users.has(user)) users.set(user, placeholder);
    if (organization && !organizations.has(organization)) organizations.set(organization, placeholder);
  }
  return {
    users: byId(
      [...users].map(([id, { newest, deleted }]) => {
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
