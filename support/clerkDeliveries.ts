// Realistic Clerk deliveries for load and reliability runs: the shapes of test/fixtures/clerk,
// with every id derived from a key so each event touches its own objects. Signing them:
// support/svixSignature.ts.
export interface UserVersion {
  /** Distinguishes the objects: `user_<key>`, `idn_a<key>`, … (ends every id, so it may be a pgbench `:variable`). */
  key: string;
  updatedAt: number;
  createdAt?: number;
  firstName?: string | null;
  lastName?: string | null;
  role?: string;
}

const INSTANCE_ID = 'ins_2wBhLsbyDWG2fWAHf2X6qoBd8IH';
const IMAGE_URL =
  'https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18yd0JoTHNieURXRzJmV0FIZjJYNnFvQmQ4SUgiLCJyaWQiOiJ1c2VyXzJ4dEtPbU9LRlpjWVE4a0JHenhoUGxyZ0JKdiIsImluaXRpYWxzIjoiQVQifQ';
const ATTRIBUTES = {
  http_request: {
    client_ip: '2603:8080:a200:372:d8ad:4156:ee07:b259',
    user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36',
  },
};

function envelope(type: string, data: unknown, timestamp: number) {
  return { data, type, object: 'event', timestamp, instance_id: INSTANCE_ID, event_attributes: ATTRIBUTES };
}

function emailAddress(id: string, address: string, at: number, verified: boolean) {
  return {
    id,
    object: 'email_address',
    reserved: false,
    linked_to: verified ? [{ id: id.replace('idn_', 'idn_g'), type: 'oauth_google' }] : [],
    created_at: at,
    updated_at: at,
    verification: verified ? { object: 'verification_from_oauth', status: 'verified', strategy: 'from_oauth_google', attempts: null, expire_at: null } : null,
    email_address: address,
    matches_sso_connection: false,
  };
}

/** A full user as Clerk sends it in user.created/user.updated: about 3 KB once enveloped. */
export function userData(version: UserVersion) {
  const { key, updatedAt } = version;
  const createdAt = version.createdAt ?? updatedAt;
  return {
    id: `user_${key}`,
    banned: false,
    locked: false,
    object: 'user',
    passkeys: [],
    username: null,
    has_image: true,
    image_url: IMAGE_URL,
    last_name: version.lastName === undefined ? 'Driver' : version.lastName,
    created_at: createdAt,
    first_name: version.firstName === undefined ? 'Fleet' : version.firstName,
    updated_at: updatedAt,
    external_id: `fleetops-${key}`,
    totp_enabled: false,
    web3_wallets: [],
    phone_numbers: [
      {
        id: `idn_p${key}`,
        object: 'phone_number',
        phone_number: '+15125550147',
        reserved_for_second_factor: false,
        default_second_factor: false,
        reserved: false,
        verification: { object: 'verification_otp', status: 'verified', strategy: 'phone_code', attempts: 1, expire_at: createdAt + 600000 },
        linked_to: [],
        backup_codes: null,
        created_at: createdAt,
        updated_at: createdAt,
      },
    ],
    saml_accounts: [],
    last_active_at: updatedAt,
    mfa_enabled_at: null,
    email_addresses: [
      emailAddress(`idn_a${key}`, `dispatch.${key}@fleet.example`, createdAt, false),
      emailAddress(`idn_b${key}`, `driver.${key}@gmail.example`, createdAt, true),
    ],
    last_sign_in_at: updatedAt,
    mfa_disabled_at: null,
    public_metadata: { onboardingComplete: true, role: version.role ?? 'driver', homeTerminal: 'Austin, TX' },
    unsafe_metadata: { dashboardTheme: 'dark' },
    password_enabled: true,
    private_metadata: { onboardingSource: 'sales-demo', internalRiskScore: 12 },
    external_accounts: [
      {
        id: `eac_${key}`,
        object: 'google_account',
        provider: 'oauth_google',
        identification_id: `idn_g${key}`,
        provider_user_id: '104857329175638492017',
        approved_scopes: 'email openid profile',
        email_address: `driver.${key}@gmail.example`,
        first_name: 'Fleet',
        last_name: 'Driver',
        username: '',
        public_metadata: {},
        label: null,
        verification: { status: 'verified', strategy: 'oauth_google', attempts: null, expire_at: createdAt + 600000 },
        created_at: createdAt,
        updated_at: createdAt,
      },
    ],
    legal_accepted_at: null,
    profile_image_url: 'https://www.gravatar.com/avatar?d=mp',
    two_factor_enabled: false,
    backup_code_enabled: false,
    delete_self_enabled: true,
    enterprise_accounts: [],
    primary_web3_wallet_id: null,
    primary_phone_number_id: `idn_p${key}`,
    // Deliberately not the first entry: the primary email is found by id, not by position.
    primary_email_address_id: `idn_b${key}`,
    lockout_expires_in_seconds: null,
    create_organization_enabled: true,
    verification_attempts_remaining: 100,
    create_organizations_limit: null,
    password_last_updated_at: createdAt,
  };
}

export function userEvent(type: 'user.created' | 'user.updated', version: UserVersion) {
  return envelope(type, userData(version), version.updatedAt + 12);
}

export function userDeletedEvent(key: string, timestamp: number) {
  return envelope('user.deleted', { object: 'user', id: `user_${key}`, deleted: true }, timestamp);
}

export interface OrganizationVersion {
  key: string;
  updatedAt: number;
  createdAt?: number;
  name?: string;
}

export function organizationData(version: OrganizationVersion) {
  return {
    id: `org_${version.key}`,
    name: version.name ?? `Fleet ${version.key}`,
    slug: `fleet-${version.key}`.toLowerCase(),
    object: 'organization',
    logo_url: null,
    has_image: false,
    image_url: IMAGE_URL,
    created_at: version.createdAt ?? version.updatedAt,
    updated_at: version.updatedAt,
    members_count: 1,
    public_metadata: { mcNumber: '5689865445', dotNumber: 'US DOT 1234567', companyName: `Fleet ${version.key} LLC` },
    private_metadata: { billingTier: 'pro' },
    admin_delete_enabled: true,
    max_allowed_memberships: 50,
    pending_invitations_count: 0,
  };
}

export function organizationEvent(type: 'organization.created' | 'organization.updated', version: OrganizationVersion) {
  return envelope(type, organizationData(version), version.updatedAt + 12);
}

export function organizationDeletedEvent(key: string, timestamp: number) {
  return envelope('organization.deleted', { object: 'organization', id: `org_${key}`, deleted: true }, timestamp);
}

export interface MembershipVersion {
  key: string;
  userKey: string;
  organizationKey: string;
  updatedAt: number;
  createdAt?: number;
  role?: 'org:admin' | 'org:dispatcher' | 'org:driver' | 'org:member';
}

const ROLE_PERMISSIONS: Record<string, string[]> = {
  'org:admin': ['org:sys_memberships:read', 'org:sys_memberships:manage', 'org:admin:view_audit_logs', 'org:sys_domains:read'],
  'org:dispatcher': ['org:sys_memberships:read', 'org:dispatcher:create_edit_loads', 'org:dispatcher:assign_drivers'],
  'org:driver': ['org:sys_memberships:read', 'org:driver:view_assigned_loads', 'org:driver:log_hos'],
  'org:member': ['org:sys_memberships:read'],
};

export function membershipData(version: MembershipVersion) {
  const role = version.role ?? 'org:driver';
  const createdAt = version.createdAt ?? version.updatedAt;
  return {
    id: `orgmem_${version.key}`,
    role,
    object: 'organization_membership',
    role_name: role.slice(4, 5).toUpperCase() + role.slice(5),
    created_at: createdAt,
    updated_at: version.updatedAt,
    permissions: ROLE_PERMISSIONS[role],
    organization: organizationData({ key: version.organizationKey, updatedAt: createdAt }),
    public_metadata: {},
    public_user_data: {
      user_id: `user_${version.userKey}`,
      has_image: false,
      image_url: IMAGE_URL,
      first_name: 'Fleet',
      last_name: 'Driver',
      identifier: `driver.${version.userKey}@gmail.example`,
      profile_image_url: 'https://www.gravatar.com/avatar?d=mp',
    },
  };
}

export function membershipEvent(
  type: 'organizationMembership.created' | 'organizationMembership.updated' | 'organizationMembership.deleted',
  version: MembershipVersion,
  timestamp = version.updatedAt + 12,
) {
  return envelope(type, membershipData(version), timestamp);
}
