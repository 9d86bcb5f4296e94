// A local stand-in for Clerk's Backend API: a real HTTP server speaking its wire format, so the
// backfill and the admin routes are tested through @clerk/backend exactly as in production.
//
// Wire facts it reproduces (from @clerk/backend 3.25.0 and Clerk's Backend API reference):
// - paths under /v1; `Authorization: Bearer <secret key>` or 401;
// - `GET /v1/users` answers a BARE ARRAY (the SDK asks /v1/users/count for the total, which answers
//   `{object:"total_count", total_count}`); organizations, memberships, invitations, roles and
//   permissions answer `{data, total_count}`;
// - paging with `limit` (1..500, default 10) and `offset` (default 0; the SDK omits a zero offset),
//   `order_by` like `-created_at` (the default, newest first) or `+created_at`;
// - the SDK parses a body as JSON only when Content-Type is exactly `application/json`;
// - errors are `{errors:[{message,long_message,code,meta}], clerk_trace_id}`; 429 carries Retry-After.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { REFERENCE_ROLES } from '../../server/clerk/referenceRoles.ts';

type Json = Record<string, unknown>;

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

interface Fault {
  status: number;
  retryAfter?: number;
  remaining: number;
  match: (request: FakeRequest) => boolean;
}

interface Hold {
  match: (request: FakeRequest) => boolean;
  arrived: () => void;
}

interface MembershipRecord {
  id: string;
  organizationId: string;
  userId: string;
  role: string;
  createdAt: number;
  updatedAt: number;
  publicMetadata: Json;
  privateMetadata: Json;
}

export interface SeedCounts {
  users: number;
  organizations: number;
  memberships: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_LIMIT = 500;
/** 2025-06-01T00:00:00Z: seeded objects are created one second apart from here. */
const SEED_EPOCH_MS = 1748736000000;

/** A KSUID-looking id (27 base62 characters) that is unique per (prefix, n) and sorts by n. */
export function fakeClerkId(prefix: string, n: number): string {
  let body = '';
  let value = n;
  do {
    body = BASE62[value % 62] + body;
    value = Math.floor(value / 62);
  } while (value > 0);
  return `${prefix}_2x${body.padStart(25, '0')}`;
}

function clerkError(status: number, code: string, message: string, longMessage = message): { status: number; body: Json } {
  return {
    status,
    body: { errors: [{ message, long_message: longMessage, code, meta: {} }], clerk_trace_id: `trace_fake_${Date.now().toString(36)}` },
  };
}

export class FakeClerkBackendApi {
  readonly secretKey: string;
  /** Every request served, in order (after authentication). */
  readonly requests: FakeRequest[] = [];
  private readonly users = new Map<string, Json>();
  private readonly organizations = new Map<string, Json>();
  private readonly memberships = new Map<string, MembershipRecord>();
  /** Membership ids per organization: listing one organization's members must not scan them all. */
  private readonly membershipsByOrganization = new Map<string, Set<string>>();
  private readonly invitations: Json[] = [];
  private readonly roles: Json[] = [];
  private readonly permissions: Json[] = [];
  private faults: Fault[] = [];
  private holds: Hold[] = [];
  private server: http.Server | undefined;
  private clock = SEED_EPOCH_MS;
  private serial = 0;

  constructor(options: { secretKey?: string } = {}) {
    this.secretKey = options.secretKey ?? 'sk_test_fake_backend_api_secret';
    this.seedRoles();
  }

  /** Starts listening on a free local port; returns the base URL to use as CLERK_API_URL. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests matching `match` are answered with `status` (429 with Retry-After). */
  injectFault(fault: { status: number; retryAfter?: number; count?: number; match?: (request: FakeRequest) => boolean }): void {
    this.faults.push({ status: fault.status, retryAfter: fault.retryAfter, remaining: fault.count ?? 1, match: fault.match ?? (() => true) });
  }

  /** The first request matching `match` is never answered; resolves when it arrives. */
  holdRequest(match: (request: FakeRequest) => boolean): Promise<void> {
    return new Promise((arrived) => this.holds.push({ match, arrived }));
  }

  /** A monotonic clock in epoch ms, so every change gets a strictly later updated_at. */
  private tick(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  // ---- data ---------------------------------------------------------------------------------

  /**
   * Generates users, organizations and memberships with the shapes Clerk returns. Memberships
   * are spread evenly: organization i gets consecutive users, the first one as org:admin.
   */
  seed(counts: SeedCounts): void {
    const start = this.serial;
    for (let i = 0; i < counts.users; i++) this.createUser({ createdAt: SEED_EPOCH_MS + (start + i) * 1000 });
    const userIds = [...this.users.keys()];
    const orgIds: string[] = [];
    for (let i = 0; i < counts.organizations; i++) {
      orgIds.push(this.createOrganization({ createdAt: SEED_EPOCH_MS + (start + i) * 1000 + 500 }).id as string);
    }
    if (counts.memberships && (!orgIds.length || !userIds.length)) throw new Error('memberships need users and organizations');
    const perOrg = Math.ceil(counts.memberships / Math.max(orgIds.length, 1));
    if (perOrg > userIds.length) throw new Error('more memberships per organization than users');
    const roleKeys = REFERENCE_ROLES.map((role) => role.key).filter((key) => key !== 'org:admin');
    for (let m = 0; m < counts.memberships; m++) {
      const orgIndex = Math.floor(m / perOrg);
      const slot = m % perOrg;
      const userId = userIds[(orgIndex * perOrg + slot) % userIds.length];
      const role = slot === 0 ? 'org:admin' : roleKeys[slot % roleKeys.length];
      this.addMembership(orgIds[orgIndex], userId, role, SEED_EPOCH_MS + (start + m) * 1000 + 700);
    }
    this.clock = Math.max(this.clock, SEED_EPOCH_MS + (start + Math.max(counts.users, counts.organizations, counts.memberships)) * 1000);
  }

  createUser(options: { createdAt?: number; firstName?: string | null; lastName?: string | null; email?: string } = {}): Json {
    const n = ++this.serial;
    const id = fakeClerkId('user', n);
    const createdAt = options.createdAt ?? this.tick();
    const emailId = fakeClerkId('idn', n);
    const email = options.email ?? `driver${n}@fleet${n % 97}.example`;
    const user: Json = {
      id,
      object: 'user',
      username: null,
      first_name: options.firstName === undefined ? `First${n}` : options.firstName,
      last_name: options.lastName === undefined ? `Last${n}` : options.lastName,
      image_url: `https://img.clerk.com/fake-${id}`,
      has_image: false,
      primary_email_address_id: emailId,
      primary_phone_number_id: null,
      primary_web3_wallet_id: null,
      password_enabled: true,
      two_factor_enabled: false,
      totp_enabled: false,
      backup_code_enabled: false,
      email_addresses: [
        {
          id: emailId,
          object: 'email_address',
          email_address: email,
          reserved: false,
          verification: { object: 'verification_email_code', status: 'verified', strategy: 'email_code', attempts: 1, expire_at: createdAt + 600000 },
          linked_to: [],
          matches_sso_connection: false,
          created_at: createdAt,
          updated_at: createdAt,
        },
      ],
      phone_numbers: [],
      web3_wallets: [],
      passkeys: [],
      external_accounts: [],
      saml_accounts: [],
      enterprise_accounts: [],
      public_metadata: { onboardingComplete: n % 3 !== 0 },
      private_metadata: { importedFrom: 'fake-backend-api' },
      unsafe_metadata: {},
      external_id: null,
      last_sign_in_at: null,
      banned: false,
      locked: false,
      lockout_expires_in_seconds: null,
      verification_attempts_remaining: 100,
      created_at: createdAt,
      updated_at: createdAt,
      delete_self_enabled: true,
      create_organization_enabled: true,
      last_active_at: null,
      mfa_enabled_at: null,
      mfa_disabled_at: null,
      legal_accepted_at: null,
      profile_image_url: `https://img.clerk.com/fake-${id}`,
    };
    this.users.set(id, user);
    return user;
  }

  createOrganization(options: { createdAt?: number; name?: string } = {}): Json {
    const n = ++this.serial;
    const id = fakeClerkId('org', n);
    const createdAt = options.createdAt ?? this.tick();
    const name = options.name ?? `Fleet ${n} Trucking`;
    const organization: Json = {
      object: 'organization',
      id,
      name,
      slug: `fleet-${n}-trucking`,
      image_url: `https://img.clerk.com/fake-${id}`,
      has_image: false,
      max_allowed_memberships: 0,
      admin_delete_enabled: true,
      public_metadata: { companyName: name, mcNumber: `MC${100000 + n}`, dotNumber: `US DOT ${2000000 + n}` },
      private_metadata: { billingTier: 'fleet' },
      created_by: null,
      created_at: createdAt,
      updated_at: createdAt,
    };
    this.organizations.set(id, organization);
    return organization;
  }

  addMembership(organizationId: string, userId: string, role: string, createdAt = this.tick()): Json {
    if (!this.organizations.has(organizationId) || !this.users.has(userId)) throw new Error('addMembership: unknown organization or user');
    const n = ++this.serial;
    const record: MembershipRecord = {
      id: fakeClerkId('orgmem', n),
      organizationId,
      userId,
      role,
      createdAt,
      updatedAt: createdAt,
      publicMetadata: {},
      privateMetadata: {},
    };
    this.memberships.set(record.id, record);
    this.membershipIndex(organizationId).add(record.id);
    return this.membershipJson(record);
  }

  /** Changes a user as the dashboard would: the given fields, and a later updated_at. */
  updateUser(id: string, changes: Json): Json {
    const user = this.users.get(id);
    if (!user) throw new Error(`updateUser: no ${id}`);
    Object.assign(user, changes, { updated_at: this.tick() });
    return structuredClone(user);
  }

  updateOrganization(id: string, changes: Json): Json {
    const organization = this.organizations.get(id);
    if (!organization) throw new Error(`updateOrganization: no ${id}`);
    Object.assign(organization, changes, { updated_at: this.tick() });
    return structuredClone(organization);
  }

  /** Deleting a user in Clerk also ends their memberships. */
  deleteUser(id: string): void {
    this.users.delete(id);
    for (const record of [...this.memberships.values()]) if (record.userId === id) this.dropMembership(record);
  }

  deleteOrganization(id: string): void {
    for (const record of this.membersOf(id)) this.dropMembership(record);
    this.organizations.delete(id);
    this.membershipsByOrganization.delete(id);
  }

  removeMembership(organizationId: string, userId: string): void {
    for (const record of this.membersOf(organizationId)) if (record.userId === userId) this.dropMembership(record);
  }

  private dropMembership(record: MembershipRecord): void {
    this.memberships.delete(record.id);
    this.membershipIndex(record.organizationId).delete(record.id);
  }

  private membershipIndex(organizationId: string): Set<string> {
    let ids = this.membershipsByOrganization.get(organizationId);
    if (!ids) {
      ids = new Set();
      this.membershipsByOrganization.set(organizationId, ids);
    }
    return ids;
  }

  userJson(id: string): Json | undefined {
    const user = this.users.get(id);
    return user && structuredClone(user);
  }

  /** An organization as Clerk answers it; `members_count` only when asked for (as `include_members_count` does). */
  organizationJson(id: string, withMembersCount = false): Json | undefined {
    const organization = this.organizations.get(id);
    if (!organization) return undefined;
    const json = structuredClone(organization);
    if (withMembersCount) json.members_count = this.membershipsByOrganization.get(id)?.size ?? 0;
    return json;
  }

  /** The users, organizations and memberships Clerk holds now, for comparing with the database. */
  snapshot(): { users: Json[]; organizations: Json[]; memberships: Json[] } {
    return {
      users: [...this.users.values()].map((user) => structuredClone(user)),
      organizations: [...this.organizations.keys()].map((id) => this.organizationJson(id)!),
      memberships: [...this.memberships.values()].map((record) => this.membershipJson(record)),
    };
  }

  findMembership(organizationId: string, userId: string): Json | undefined {
    const record = this.membersOf(organizationId).find((candidate) => candidate.userId === userId);
    return record && this.membershipJson(record);
  }

  private membersOf(organizationId: string): MembershipRecord[] {
    return [...(this.membershipsByOrganization.get(organizationId) ?? [])].map((id) => this.memberships.get(id)!);
  }

  /** The organization as embedded in its memberships: with its member count, without private metadata. */
  private embeddedOrganization(organizationId: string): Json {
    const organization = this.organizationJson(organizationId, true)!;
    delete organization.private_metadata;
    return organization;
  }

  private membershipJson(record: MembershipRecord, organization = this.embeddedOrganization(record.organizationId)): Json {
    const user = this.users.get(record.userId)!;
    const role = this.roles.find((candidate) => candidate.key === record.role);
    const primaryEmail = (user.email_addresses as Json[]).find((email) => email.id === user.primary_email_address_id);
    return {
      object: 'organization_membership',
      id: record.id,
      role: record.role,
      role_name: role?.name ?? record.role,
      permissions: role ? (role.permissions as Json[]).map((permission) => permission.key) : [],
      public_metadata: structuredClone(record.publicMetadata),
      private_metadata: structuredClone(record.privateMetadata),
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      organization,
      public_user_data: {
        user_id: record.userId,
        first_name: user.first_name,
        last_name: user.last_name,
        image_url: user.image_url,
        has_image: user.has_image,
        identifier: primaryEmail?.email_address ?? '',
        profile_image_url: user.profile_image_url,
      },
    };
  }

  /** An organization invitation in the given state (an accepted one names the user who accepted). */
  addInvitation(organizationId: string, email: string, role: string, status: 'pending' | 'accepted' | 'revoked' = 'pending', userId?: string): Json {
    if (!this.organizations.has(organizationId)) throw new Error(`addInvitation: no ${organizationId}`);
    const n = ++this.serial;
    const at = this.tick();
    const invitation: Json = {
      object: 'organization_invitation',
      id: fakeClerkId('orginv', n),
      email_address: email,
      role,
      role_name: this.roles.find((candidate) => candidate.key === role)?.name ?? role,
      organization_id: organizationId,
      inviter_id: null,
      user_id: status === 'accepted' ? (userId ?? null) : null,
      status,
      url: null,
      public_metadata: {},
      private_metadata: {},
      expires_at: at + 30 * 86400000,
      created_at: at,
      updated_at: at,
    };
    this.invitations.push(invitation);
    return structuredClone(invitation);
  }

  /** A custom role created in the dashboard, granting existing permissions. */
  addRole(key: string, name: string, permissionKeys: string[]): Json {
    const n = ++this.serial;
    const at = this.tick();
    const role: Json = {
      object: 'role',
      id: fakeClerkId('role', n),
      name,
      key,
      description: `Custom role ${name}`,
      is_creator_eligible: false,
      permissions: permissionKeys.map((permissionKey) => {
        const permission = this.permissions.find((candidate) => candidate.key === permissionKey);
        if (!permission) throw new Error(`addRole: no permission ${permissionKey}`);
        return permission;
      }),
      created_at: at,
      updated_at: at,
    };
    this.roles.push(role);
    return structuredClone(role);
  }

  private seedRoles(): void {
    const permissionByKey = new Map<string, Json>();
    for (const role of REFERENCE_ROLES) {
      for (const key of role.permissions) {
        if (permissionByKey.has(key)) continue;
        const n = ++this.serial;
        const permission: Json = {
          object: 'permission',
          id: fakeClerkId('perm', n),
          name: key.split(':').at(-1)!.replace(/_/g, ' '),
          key,
          description: `Reference permission ${key}`,
          type: key.startsWith('org:sys_') ? 'system' : 'user',
          created_at: SEED_EPOCH_MS - 86400000 + n,
          updated_at: SEED_EPOCH_MS - 86400000 + n,
        };
        permissionByKey.set(key, permission);
        this.permissions.push(permission);
      }
    }
    for (const role of REFERENCE_ROLES) {
      const n = ++this.serial;
      this.roles.push({
        object: 'role',
        id: fakeClerkId('role', n),
        name: role.name,
        key: role.key,
        description: `Reference role ${role.name}`,
        is_creator_eligible: role.key === 'org:admin',
        permissions: role.permissions.map((key) => permissionByKey.get(key)),
        created_at: SEED_EPOCH_MS - 86400000 + n,
        updated_at: SEED_EPOCH_MS - 86400000 + n,
      });
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams };
    let body = '';
    for await (const chunk of req) body += chunk;

    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      this.send(res, clerkError(401, 'authentication_invalid', 'Unauthorized request', 'The provided secret key is invalid.'));
      return;
    }
    this.requests.push(request);

    const hold = this.holds.find((candidate) => candidate.match(request));
    if (hold) {
      this.holds = this.holds.filter((candidate) => candidate !== hold);
      hold.arrived();
      return;
    }
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && candidate.match(request));
    if (fault) {
      fault.remaining -= 1;
      this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
      const error =
        fault.status === 429
          ? clerkError(429, 'too_many_requests', 'Too many requests', 'You have exceeded the rate limit; retry later.')
          : clerkError(fault.status, 'internal_clerk_error', 'Oops, an unexpected error occurred');
      this.send(res, error, headers);
      return;
    }

    let parsed: Json = {};
    if (body) {
      try {
        parsed = JSON.parse(body) as Json;
      } catch {
        this.send(res, clerkError(400, 'malformed_request', 'Request body is not valid JSON'));
        return;
      }
    }
    this.send(res, this.route(request, parsed));
  }

  private send(res: http.ServerResponse, answer: { status: number; body: unknown }, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const payload = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers });
    res.end(payload);
  }

  private route(request: FakeRequest, body: Json): { status: number; body: unknown } {
    const segments = request.path.split('/').filter(Boolean);
    if (segments[0] !== 'v1') return clerkError(404, 'resource_not_found', 'Not Found');
    const [, resource, id, sub, subId] = segments;
    const get = request.method === 'GET';

    if (resource === 'users' && get && id === 'count' && !sub) {
      return { status: 200, body: { object: 'total_count', total_count: this.filterUsers(request.query).length } };
    }
    if (resource === 'users' && get && !id) {
      return this.page(request.query, this.filterUsers(request.query), (user) => structuredClone(user), 'bare');
    }
    if (resource === 'users' && get && id && !sub) {
      const user = this.userJson(id);
      return user ? { status: 200, body: user } : clerkError(404, 'resource_not_found', 'Resource not found', `User ${id} not found`);
    }
    if (resource === 'organizations' && get && !id) {
      const ids = request.query.getAll('organization_id');
      const organizations = [...this.organizations.values()].filter((organization) => !ids.length || ids.includes(organization.id as string));
      const withCount = request.query.get('include_members_count') === 'true';
      return this.page(request.query, organizations, (organization) => this.organizationJson(organization.id as string, withCount)!, 'wrapped');
    }
    if (resource === 'organizations' && id && !this.organizations.has(id)) {
      return clerkError(404, 'resource_not_found', 'Resource not found', `Organization ${id} not found`);
    }
    if (resource === 'organizations' && get && id && !sub) {
      return { status: 200, body: this.organizationJson(id, request.query.get('include_members_count') === 'true') };
    }
    if (resource === 'organizations' && get && sub === 'memberships' && !subId) {
      const wanted = request.query.getAll('user_id');
      const records = this.membersOf(id).filter((record) => !wanted.length || wanted.includes(record.userId));
      const rows = records.map((record) => ({ created_at: record.createdAt, updated_at: record.updatedAt, record }));
      const organization = this.embeddedOrganization(id);
      return this.page(request.query, rows, (row) => this.membershipJson(row.record as MembershipRecord, structuredClone(organization)), 'wrapped');
    }
    if (resource === 'organizations' && request.method === 'PATCH' && sub === 'memberships' && subId) {
      return this.updateMembershipRole(id, subId, body);
    }
    if (resource === 'organizations' && get && sub === 'invitations' && !subId) {
      const statuses = request.query.getAll('status');
      const invitations = this.invitations.filter((invitation) => invitation.organization_id === id && (!statuses.length || statuses.includes(invitation.status as string)));
      return this.page(request.query, invitations, (invitation) => structuredClone(invitation), 'wrapped');
    }
    if (resource === 'organization_memberships' && get && !id) {
      // The instance-wide listing: every organization's memberships, each embedding its organization.
      const rows = [...this.memberships.values()].map((record) => ({ created_at: record.createdAt, updated_at: record.updatedAt, record }));
      return this.page(request.query, rows, (row) => this.membershipJson(row.record as MembershipRecord), 'wrapped');
    }
    if (resource === 'organization_roles' && get && !id) {
      return this.page(request.query, this.roles, (role) => structuredClone(role), 'wrapped');
    }
    if (resource === 'organization_permissions' && get && !id) {
      return this.page(request.query, this.permissions, (permission) => structuredClone(permission), 'wrapped');
    }
    return clerkError(404, 'resource_not_found', 'Not Found', `No route for ${request.method} ${request.path}`);
  }

  private filterUsers(query: URLSearchParams): Json[] {
    const ids = query.getAll('user_id');
    const all = [...this.users.values()];
    return ids.length ? all.filter((user) => ids.includes(user.id as string)) : all;
  }

  private page<T extends Json>(query: URLSearchParams, rows: T[], render: (row: T) => unknown, shape: 'bare' | 'wrapped'): { status: number; body: unknown } {
    const limit = query.has('limit') ? Number(query.get('limit')) : 10;
    const offset = query.has('offset') ? Number(query.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return clerkError(422, 'form_param_value_invalid', 'is invalid', `limit must be between 1 and ${MAX_LIMIT}`);
    }
    if (!Number.isInteger(offset) || offset < 0) return clerkError(422, 'form_param_value_invalid', 'is invalid', 'offset must be 0 or more');
    const orderBy = query.get('order_by') ?? '-created_at';
    const match = /^([+-]?)(created_at|updated_at)$/.exec(orderBy);
    if (!match) return clerkError(422, 'form_param_value_invalid', 'is invalid', `order_by ${orderBy} is not supported`);
    const field = match[2];
    const direction = match[1] === '-' ? -1 : 1;
    const sorted = [...rows].sort((a, b) => direction * ((a[field] as number) - (b[field] as number)));
    const data = sorted.slice(offset, offset + limit).map(render);
    return { status: 200, body: shape === 'bare' ? data : { data, total_count: rows.length } };
  }

  private updateMembershipRole(organizationId: string, userId: string, body: Json): { status: number; body: unknown } {
    const record = this.membersOf(organizationId).find((candidate) => candidate.userId === userId);
    if (!record) return clerkError(404, 'resource_not_found', 'Resource not found', 'Membership not found');
    if (typeof body.role !== 'string' || !this.roles.some((role) => role.key === body.role)) {
      return clerkError(422, 'form_param_value_invalid', 'is invalid', `role ${String(body.role)} does not exist`);
    }
    record.role = body.role;
    record.updatedAt = this.tick();
    return { status: 200, body: this.membershipJson(record) };
  }
}
