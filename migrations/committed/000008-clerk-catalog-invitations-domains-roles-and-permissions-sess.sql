--! Previous: sha1:95a6265e8b4f318b2934eb3b5ea4a468c3462fcf
--! Hash: sha1:3b745a2a74eb9822042722ba7f733b869292c7c7
--! Message: Clerk catalog: invitations, domains, roles and permissions, sessions, messages, billing

-- The rest of the Clerk catalog (issue 5): tables, policies and one sync function per family.
-- Every synced table below has the bookkeeping columns apply_clerk_change relies on (id,
-- clerk_created_at, clerk_updated_at, deleted_at, synced_at) and no foreign keys to its parents:
-- Clerk delivers in any order.
drop table if exists app_public.role_permissions cascade;
drop table if exists app_public.roles cascade;
drop table if exists app_public.permissions cascade;
drop table if exists app_public.organization_invitations cascade;
drop table if exists app_public.organization_domains cascade;
drop table if exists app_public.sessions cascade;
drop table if exists app_public.billing_subscription_items cascade;
drop table if exists app_public.billing_subscriptions cascade;
drop table if exists app_private.clerk_messages cascade;

create table app_public.organization_invitations (
  id text primary key,
  organization_id text not null,
  email_address text,
  role text,
  role_name text,
  status text,
  inviter_id text,
  user_id text,
  url text,
  public_metadata jsonb not null default '{}',
  expires_at timestamptz,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index organization_invitations_organization_id_idx on app_public.organization_invitations (organization_id);
comment on table app_public.organization_invitations is E'Invitations to join an organization (organizationInvitation.created/accepted/revoked). Read-only; needs org:sys_memberships:read.';
comment on column app_public.organization_invitations.id is E'Clerk invitation id (orginv_…).';
comment on column app_public.organization_invitations.organization_id is E'The organization the invitation is for.';
comment on column app_public.organization_invitations.email_address is E'Who was invited.';
comment on column app_public.organization_invitations.role is E'Role key the invitee gets, e.g. org:admin (older instances: admin, basic_member).';
comment on column app_public.organization_invitations.role_name is E'Human-readable role name, when Clerk sends it.';
comment on column app_public.organization_invitations.status is E'pending, accepted, revoked or expired, as Clerk reports it.';
comment on column app_public.organization_invitations.inviter_id is E'Clerk user id of the member who sent the invitation, when sent.';
comment on column app_public.organization_invitations.user_id is E'Clerk user id of the user who accepted it (accepted invitations only).';
comment on column app_public.organization_invitations.url is E'Invitation link, when the instance uses custom flows (else null).';
comment on column app_public.organization_invitations.public_metadata is E'Clerk public metadata of the invitation; private metadata is never stored here.';
comment on column app_public.organization_invitations.expires_at is E'When the invitation stops being valid.';
comment on column app_public.organization_invitations.clerk_created_at is E'When Clerk created the invitation.';
comment on column app_public.organization_invitations.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale.';
comment on column app_public.organization_invitations.deleted_at is E'When its organization was deleted (invitations go with it); null otherwise. Revoking is a status, not a deletion.';
comment on column app_public.organization_invitations.synced_at is E'When this row was last written by the sync.';

create table app_public.organization_domains (
  id text primary key,
  organization_id text,
  name text,
  enrollment_mode text,
  verification_status text,
  affiliation_email_address text,
  total_pending_invitations integer,
  total_pending_suggestions integer,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index organization_domains_organization_id_idx on app_public.organization_domains (organization_id);
comment on table app_public.organization_domains is E'Verified domains of an organization (organizationDomain.created/updated/deleted). Read-only; needs org:sys_domains:read.';
comment on column app_public.organization_domains.id is E'Clerk domain id (orgdmn_…).';
comment on column app_public.organization_domains.organization_id is E'The organization owning the domain; null only while just a deletion has arrived (the tombstone names no organization).';
comment on column app_public.organization_domains.name is E'The domain, e.g. example.com.';
comment on column app_public.organization_domains.enrollment_mode is E'manual_invitation, automatic_invitation, automatic_suggestion or enterprise_sso.';
comment on column app_public.organization_domains.verification_status is E'Status of the affiliation verification (unverified, verified, …); null until one is started.';
comment on column app_public.organization_domains.affiliation_email_address is E'Email address through which the domain was verified.';
comment on column app_public.organization_domains.total_pending_invitations is E'Pending invitations created through the domain.';
comment on column app_public.organization_domains.total_pending_suggestions is E'Pending suggestions created through the domain.';
comment on column app_public.organization_domains.clerk_created_at is E'When Clerk created the domain.';
comment on column app_public.organization_domains.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale. Null when only the deletion arrived.';
comment on column app_public.organization_domains.deleted_at is E'When the domain (or its organization) was deleted; null while it exists.';
comment on column app_public.organization_domains.synced_at is E'When this row was last written by the sync.';

create table app_public.permissions (
  id text primary key,
  key text,
  name text,
  description text,
  type text,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index permissions_key_idx on app_public.permissions (key);
comment on table app_public.permissions is E'The instance''s organization permissions (permission.* events, and the permissions embedded in role events). Read-only; readable by every signed-in user.';
comment on column app_public.permissions.id is E'Clerk permission id (perm_…).';
comment on column app_public.permissions.key is E'Permission key, e.g. org:sys_memberships:read; a deleted permission''s key can be reused, so not unique here.';
comment on column app_public.permissions.name is E'Human-readable name.';
comment on column app_public.permissions.description is E'Description shown in the Clerk dashboard.';
comment on column app_public.permissions.type is E'system (built into Clerk, org:sys_*) or user (defined by the application).';
comment on column app_public.permissions.clerk_created_at is E'When Clerk created the permission.';
comment on column app_public.permissions.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale. Null when only the id is known.';
comment on column app_public.permissions.deleted_at is E'When the permission was deleted in Clerk; null while it exists.';
comment on column app_public.permissions.synced_at is E'When this row was last written by the sync.';

create table app_public.roles (
  id text primary key,
  key text,
  name text,
  description text,
  is_creator_eligible boolean,
  permission_ids text[] not null default '{}',
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index roles_key_idx on app_public.roles (key);
comment on table app_public.roles is E'The instance''s organization roles (role.* events). Read-only; readable by every signed-in user. Which permissions a role grants: app_public.role_permissions.';
comment on column app_public.roles.id is E'Clerk role id (role_…).';
comment on column app_public.roles.key is E'Role key as memberships carry it, e.g. org:dispatcher; a deleted role''s key can be reused, so not unique here.';
comment on column app_public.roles.name is E'Human-readable name, e.g. Dispatcher.';
comment on column app_public.roles.description is E'Description shown in the Clerk dashboard.';
comment on column app_public.roles.is_creator_eligible is E'Whether the role can be given to the creator of an organization.';
comment on column app_public.roles.permission_ids is E'Ids of the permissions of the newest role version applied, sorted; role_permissions is kept equal to it (for live roles and permissions).';
comment on column app_public.roles.clerk_created_at is E'When Clerk created the role.';
comment on column app_public.roles.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale. Null when only the deletion arrived.';
comment on column app_public.roles.deleted_at is E'When the role was deleted in Clerk; null while it exists. A deleted role grants no permissions.';
comment on column app_public.roles.synced_at is E'When this row was last written by the sync.';

create table app_public.role_permissions (
  role_id text not null references app_public.roles (id) on delete cascade,
  permission_id text not null references app_public.permissions (id) on delete cascade,
  primary key (role_id, permission_id)
);
create index role_permissions_permission_id_idx on app_public.role_permissions (permission_id);
comment on table app_public.role_permissions is E'Which live permission each live role grants: exactly the permissions of the newest version of the role, minus deleted roles and permissions. Rewritten on every role event and on permission deletions. Read-only.';
comment on column app_public.role_permissions.role_id is E'The role.';
comment on column app_public.role_permissions.permission_id is E'A permission the role grants.';

-- High volume (every sign-in, sign-out and refresh of a session's status): lean columns, only the
-- index the tenant policy needs, and room in each page for HOT updates, which touch no index.
create table app_public.sessions (
  id text primary key,
  user_id text,
  client_id text,
  status text,
  last_active_organization_id text,
  last_active_at timestamptz,
  expire_at timestamptz,
  abandon_at timestamptz,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
) with (fillfactor = 90);
create index sessions_user_id_idx on app_public.sessions (user_id);
comment on table app_public.sessions is E'Clerk sessions (session.created/ended/removed/revoked/pending). Read-only; a user sees their own sessions. The user object some deliveries embed is not stored from here (user.* events own users).';
comment on column app_public.sessions.id is E'Clerk session id (sess_…).';
comment on column app_public.sessions.user_id is E'The signed-in user.';
comment on column app_public.sessions.client_id is E'The Clerk client (browser or device) holding the session.';
comment on column app_public.sessions.status is E'active, pending, ended, removed, revoked, expired, abandoned or replaced, as Clerk reports it. Sessions end by status; they are not deleted.';
comment on column app_public.sessions.last_active_organization_id is E'The organization last active in the session, if any.';
comment on column app_public.sessions.last_active_at is E'Last activity in the session.';
comment on column app_public.sessions.expire_at is E'When the session expires.';
comment on column app_public.sessions.abandon_at is E'When an inactive session is abandoned.';
comment on column app_public.sessions.clerk_created_at is E'When the session began.';
comment on column app_public.sessions.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale.';
comment on column app_public.sessions.deleted_at is E'Always null: sessions end by status. The column exists because every synced table shares the generic sync.';
comment on column app_public.sessions.synced_at is E'When this row was last written by the sync.';

create table app_public.billing_subscriptions (
  id text primary key,
  payer_id text,
  organization_id text,
  user_id text,
  status text,
  active_at timestamptz,
  past_due_at timestamptz,
  canceled_at timestamptz,
  ended_at timestamptz,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index billing_subscriptions_organization_id_idx on app_public.billing_subscriptions (organization_id);
create index billing_subscriptions_user_id_idx on app_public.billing_subscriptions (user_id);
comment on table app_public.billing_subscriptions is E'Clerk Billing subscriptions (subscription.* events): whether an organization (or a user) pays and is in good standing. Plans are on app_public.billing_subscription_items. Read-only.';
comment on column app_public.billing_subscriptions.id is E'Clerk subscription id (csub_…).';
comment on column app_public.billing_subscriptions.payer_id is E'Clerk billing payer id (cpayer_…).';
comment on column app_public.billing_subscriptions.organization_id is E'The paying organization; null when a user pays.';
comment on column app_public.billing_subscriptions.user_id is E'The paying user; null when an organization pays.';
comment on column app_public.billing_subscriptions.status is E'active, past_due, canceled, ended, … as Clerk reports it.';
comment on column app_public.billing_subscriptions.active_at is E'When the subscription became active.';
comment on column app_public.billing_subscriptions.past_due_at is E'When a payment failed and the subscription went past due; null while in good standing.';
comment on column app_public.billing_subscriptions.canceled_at is E'When the subscription was canceled.';
comment on column app_public.billing_subscriptions.ended_at is E'When the subscription ended.';
comment on column app_public.billing_subscriptions.clerk_created_at is E'When Clerk created the subscription.';
comment on column app_public.billing_subscriptions.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale.';
comment on column app_public.billing_subscriptions.deleted_at is E'Always null: billing objects end by status. The column exists because every synced table shares the generic sync.';
comment on column app_public.billing_subscriptions.synced_at is E'When this row was last written by the sync.';

create table app_public.billing_subscription_items (
  id text primary key,
  subscription_id text,
  payer_id text,
  organization_id text,
  user_id text,
  status text,
  plan_id text,
  plan_slug text,
  plan_name text,
  plan_period text,
  is_free_trial boolean,
  amount integer,
  currency text,
  seats integer,
  period_start timestamptz,
  period_end timestamptz,
  canceled_at timestamptz,
  past_due_at timestamptz,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index billing_subscription_items_subscription_id_idx on app_public.billing_subscription_items (subscription_id);
create index billing_subscription_items_organization_id_idx on app_public.billing_subscription_items (organization_id);
create index billing_subscription_items_user_id_idx on app_public.billing_subscription_items (user_id);
comment on table app_public.billing_subscription_items is E'Clerk Billing subscription items (subscriptionItem.* events, and the items embedded in subscription.* events): which plan an organization or user is on, for which period. Read-only.';
comment on column app_public.billing_subscription_items.id is E'Clerk subscription item id (csub_item_…).';
comment on column app_public.billing_subscription_items.subscription_id is E'The subscription the item belongs to.';
comment on column app_public.billing_subscription_items.payer_id is E'Clerk billing payer id (cpayer_…).';
comment on column app_public.billing_subscription_items.organization_id is E'The paying organization; null when a user pays.';
comment on column app_public.billing_subscription_items.user_id is E'The paying user; null when an organization pays.';
comment on column app_public.billing_subscription_items.status is E'active, upcoming, past_due, canceled, ended, abandoned, incomplete, … as Clerk reports it.';
comment on column app_public.billing_subscription_items.plan_id is E'Clerk plan id (cplan_…).';
comment on column app_public.billing_subscription_items.plan_slug is E'Plan slug, e.g. fleet-pro: what features are gated on.';
comment on column app_public.billing_subscription_items.plan_name is E'Plan name, e.g. Fleet Pro.';
comment on column app_public.billing_subscription_items.plan_period is E'Billing period: month or annual.';
comment on column app_public.billing_subscription_items.is_free_trial is E'Whether the item is in its free trial.';
comment on column app_public.billing_subscription_items.amount is E'Price per period in the currency''s minor unit (cents).';
comment on column app_public.billing_subscription_items.currency is E'ISO currency code, e.g. USD.';
comment on column app_public.billing_subscription_items.seats is E'Seat quantity, for seat-based plans.';
comment on column app_public.billing_subscription_items.period_start is E'Start of the current period.';
comment on column app_public.billing_subscription_items.period_end is E'End of the current period; null for plans without one (free).';
comment on column app_public.billing_subscription_items.canceled_at is E'When the item was canceled (it runs to period_end).';
comment on column app_public.billing_subscription_items.past_due_at is E'When its payment failed; null while in good standing.';
comment on column app_public.billing_subscription_items.clerk_created_at is E'When Clerk created the item.';
comment on column app_public.billing_subscription_items.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale.';
comment on column app_public.billing_subscription_items.deleted_at is E'Always null: billing objects end by status. The column exists because every synced table shares the generic sync.';
comment on column app_public.billing_subscription_items.synced_at is E'When this row was last written by the sync.';

-- Delivery metadata of the emails and SMS Clerk sends. Their text carries one-time codes, so no
-- text is kept, here or in the ledger, and no tenant role can read this table.
create table app_private.clerk_messages (
  id text primary key,
  channel text not null check (channel in ('email', 'sms')),
  slug text,
  status text,
  user_id text,
  to_address text,
  from_address text,
  identifier_id text,
  delivered_by_clerk boolean,
  svix_id text not null,
  occurred_at timestamptz not null,
  synced_at timestamptz not null default now()
);
create index clerk_messages_user_id_idx on app_private.clerk_messages (user_id);
comment on table app_private.clerk_messages is E'Emails and SMS Clerk sent (email.created, sms.created): delivery metadata only. Subject, body and one-time codes are never stored.';
comment on column app_private.clerk_messages.id is E'Clerk message id (ema_… or sms_…).';
comment on column app_private.clerk_messages.channel is E'email or sms.';
comment on column app_private.clerk_messages.slug is E'Template slug, e.g. verification_code, magic_link_sign_in, invitation.';
comment on column app_private.clerk_messages.status is E'Delivery status as Clerk reported it when the message was created (e.g. queued).';
comment on column app_private.clerk_messages.user_id is E'The Clerk user the message was for, when there is one.';
comment on column app_private.clerk_messages.to_address is E'Recipient email address or phone number; null once the user is deleted.';
comment on column app_private.clerk_messages.from_address is E'Sender: email local part (from_email_name) or phone number.';
comment on column app_private.clerk_messages.identifier_id is E'Clerk id of the recipient email address or phone number (idn_…).';
comment on column app_private.clerk_messages.delivered_by_clerk is E'Whether Clerk delivered it (false: the application delivers it itself).';
comment on column app_private.clerk_messages.svix_id is E'The delivery that reported the message (ledger key).';
comment on column app_private.clerk_messages.occurred_at is E'Envelope time of the event (messages carry no timestamps of their own).';
comment on column app_private.clerk_messages.synced_at is E'When the row was written.';

--! Included policies/organization_invitations.sql
-- Row-level security of app_public.organization_invitations. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_invitations enable row level security;
alter table app_public.organization_invitations force row level security;

drop policy if exists sync_owner_all on app_public.organization_invitations;
create policy sync_owner_all on app_public.organization_invitations for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_invitations is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.organization_invitations from authenticated, anonymous;
grant select on app_public.organization_invitations to authenticated;

-- Tenants: read-only, invitations of the active organization for holders of org:sys_memberships:read.
drop policy if exists select_current_org_with_permission on app_public.organization_invitations;
create policy select_current_org_with_permission on app_public.organization_invitations for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_memberships:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_invitations is E'Invitations of the active organization, for holders of org:sys_memberships:read.';
--! EndIncluded policies/organization_invitations.sql
--! Included policies/organization_domains.sql
-- Row-level security of app_public.organization_domains. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_domains enable row level security;
alter table app_public.organization_domains force row level security;

drop policy if exists sync_owner_all on app_public.organization_domains;
create policy sync_owner_all on app_public.organization_domains for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_domains is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.organization_domains from authenticated, anonymous;
grant select on app_public.organization_domains to authenticated;

-- Tenants: read-only, domains of the active organization for holders of org:sys_domains:read.
drop policy if exists select_current_org_with_permission on app_public.organization_domains;
create policy select_current_org_with_permission on app_public.organization_domains for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_domains:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_domains is E'Domains of the active organization, for holders of org:sys_domains:read.';
--! EndIncluded policies/organization_domains.sql
--! Included policies/permissions.sql
-- Row-level security of app_public.permissions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.permissions enable row level security;
alter table app_public.permissions force row level security;

drop policy if exists sync_owner_all on app_public.permissions;
create policy sync_owner_all on app_public.permissions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.permissions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.permissions from authenticated, anonymous;
grant select on app_public.permissions to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.permissions;
create policy select_live on app_public.permissions for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.permissions is E'Every signed-in user sees the instance''s live permissions.';
--! EndIncluded policies/permissions.sql
--! Included policies/roles.sql
-- Row-level security of app_public.roles. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.roles enable row level security;
alter table app_public.roles force row level security;

drop policy if exists sync_owner_all on app_public.roles;
create policy sync_owner_all on app_public.roles for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.roles is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.roles from authenticated, anonymous;
grant select on app_public.roles to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.roles;
create policy select_live on app_public.roles for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.roles is E'Every signed-in user sees the instance''s live roles.';
--! EndIncluded policies/roles.sql
--! Included policies/role_permissions.sql
-- Row-level security of app_public.role_permissions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.role_permissions enable row level security;
alter table app_public.role_permissions force row level security;

drop policy if exists sync_owner_all on app_public.role_permissions;
create policy sync_owner_all on app_public.role_permissions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.role_permissions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.role_permissions from authenticated, anonymous;
grant select on app_public.role_permissions to authenticated;

-- Tenants: read-only. The sync keeps only links between live roles and live permissions here.
drop policy if exists select_all on app_public.role_permissions;
create policy select_all on app_public.role_permissions for select to authenticated
  using (true);
comment on policy select_all on app_public.role_permissions is E'Every signed-in user sees which permissions each live role grants.';
--! EndIncluded policies/role_permissions.sql
--! Included policies/sessions.sql
-- Row-level security of app_public.sessions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.sessions enable row level security;
alter table app_public.sessions force row level security;

drop policy if exists sync_owner_all on app_public.sessions;
create policy sync_owner_all on app_public.sessions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.sessions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.sessions from authenticated, anonymous;
grant select on app_public.sessions to authenticated;

-- Tenants: read-only, a user's own sessions. Organization admins get no view of their members'
-- sessions: a session belongs to a user across organizations (last_active_organization_id is only
-- where they were last), and its times reveal activity outside the organization.
drop policy if exists select_own on app_public.sessions;
create policy select_own on app_public.sessions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.sessions is E'A user sees their own sessions (every status).';
--! EndIncluded policies/sessions.sql
--! Included policies/billing_subscriptions.sql
-- Row-level security of app_public.billing_subscriptions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.billing_subscriptions enable row level security;
alter table app_public.billing_subscriptions force row level security;

drop policy if exists sync_owner_all on app_public.billing_subscriptions;
create policy sync_owner_all on app_public.billing_subscriptions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.billing_subscriptions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.billing_subscriptions from authenticated, anonymous;
grant select on app_public.billing_subscriptions to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization, so the policy checks
-- that the organization is live (once per statement).
drop policy if exists select_current_org on app_public.billing_subscriptions;
create policy select_current_org on app_public.billing_subscriptions for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
  );
comment on policy select_current_org on app_public.billing_subscriptions is E'Members see the billing subscriptions of their active organization, while it exists.';

drop policy if exists select_own on app_public.billing_subscriptions;
create policy select_own on app_public.billing_subscriptions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscriptions is E'A user sees the billing subscriptions they pay for themselves.';
--! EndIncluded policies/billing_subscriptions.sql
--! Included policies/billing_subscription_items.sql
-- Row-level security of app_public.billing_subscription_items. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.billing_subscription_items enable row level security;
alter table app_public.billing_subscription_items force row level security;

drop policy if exists sync_owner_all on app_public.billing_subscription_items;
create policy sync_owner_all on app_public.billing_subscription_items for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.billing_subscription_items is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.billing_subscription_items from authenticated, anonymous;
grant select on app_public.billing_subscription_items to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization, so the policy checks
-- that the organization is live (once per statement).
drop policy if exists select_current_org on app_public.billing_subscription_items;
create policy select_current_org on app_public.billing_subscription_items for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
  );
comment on policy select_current_org on app_public.billing_subscription_items is E'Members see the billing subscription items of their active organization, while it exists.';

drop policy if exists select_own on app_public.billing_subscription_items;
create policy select_own on app_public.billing_subscription_items for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscription_items is E'A user sees the billing subscription items they pay for themselves.';
--! EndIncluded policies/billing_subscription_items.sql

--! Included functions/redact_one_time_codes.sql
-- Where Clerk puts one-time codes in email.created and sms.created: the rendered texts and the
-- template data. Redacting the body alone would leave the code in the subject.
create or replace function app_private.redact_one_time_codes(message jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(message) = 'object' then
    (select coalesce(jsonb_object_agg(f.key, case
              when f.key in ('subject', 'body', 'body_plain', 'message') and f.value <> 'null' then '"[redacted]"'::jsonb
              when f.key = 'data' and jsonb_typeof(f.value) = 'object' and f.value ? 'otp_code' then f.value || '{"otp_code": "[redacted]"}'
              else f.value end), '{}')
       from jsonb_each(message) as f)
    else message end
$$;
comment on function app_private.redact_one_time_codes(jsonb) is E'The data object of an email.created / sms.created event with subject, body, body_plain, message and data.otp_code replaced by "[redacted]".';
--! EndIncluded functions/redact_one_time_codes.sql
--! Included functions/refresh_role_permissions.sql
-- The links are a function of the role and permission rows, not of the event that changed them,
-- so they converge whatever the order: a deleted role grants nothing, a deleted permission is
-- granted by no role, and a live role grants exactly the live permissions of its newest version.
create or replace function app_private.refresh_role_permissions(p_role_ids text[]) returns void
language sql volatile as $$
  delete from app_public.role_permissions as l
   where l.role_id = any(p_role_ids)
     and not exists (
       select from app_public.roles as r
         join app_public.permissions as p on p.id = l.permission_id
        where r.id = l.role_id and r.deleted_at is null and p.deleted_at is null and l.permission_id = any(r.permission_ids));
  insert into app_public.role_permissions (role_id, permission_id)
  select r.id, p.id
    from app_public.roles as r
    join app_public.permissions as p on p.id = any(r.permission_ids)
   where r.id = any(p_role_ids) and r.deleted_at is null and p.deleted_at is null
  on conflict do nothing;
$$;
comment on function app_private.refresh_role_permissions(text[]) is E'Rewrites the app_public.role_permissions links of these roles from their rows: the permission_ids of each live role that name a live permission.';
--! EndIncluded functions/refresh_role_permissions.sql
--! Included functions/apply_permission.sql
-- Shared by permission.* events and the full permission objects embedded in role events, so a
-- role event also brings the permissions it lists up to date (each guarded by its own updated_at).
create or replace function app_private.apply_permission(event app_private.clerk_event) returns boolean
language sql volatile as $$
  select app_private.apply_clerk_change(
    event, 'permissions', event.data ->> 'id',
    p_fields => jsonb_build_object(
      'key', event.data ->> 'key',
      'name', event.data ->> 'name',
      'description', event.data ->> 'description',
      'type', event.data ->> 'type',
      'clerk_created_at', app_private.clerk_time(event.data -> 'created_at')),
    p_version => app_private.clerk_event_version(event))
$$;
comment on function app_private.apply_permission(app_private.clerk_event) is E'Applies the full permission in event.data to app_public.permissions (staleness guard and audit through apply_clerk_change). Returns false when it was stale.';
--! EndIncluded functions/apply_permission.sql
--! Included functions/apply_subscription_item.sql
-- Shared by subscriptionItem.* events and the items embedded in subscription.* events. Embedded
-- items carry no payer or subscription_id: the subscription's stand in (p_subscription).
create or replace function app_private.apply_subscription_item(event app_private.clerk_event, p_subscription jsonb default '{}') returns boolean
language sql volatile as $$
  select app_private.apply_clerk_change(
    event, 'billing_subscription_items', item ->> 'id',
    p_fields => jsonb_build_object(
      'subscription_id', coalesce(nullif(item ->> 'subscription_id', ''), nullif(p_subscription ->> 'id', '')),
      'payer_id', nullif(payer ->> 'id', ''),
      'organization_id', nullif(payer ->> 'organization_id', ''),
      'user_id', nullif(payer ->> 'user_id', ''),
      'status', item ->> 'status',
      'plan_id', coalesce(item ->> 'plan_id', item #>> '{plan,id}'),
      'plan_slug', item #>> '{plan,slug}',
      'plan_name', item #>> '{plan,name}',
      'plan_period', coalesce(item ->> 'plan_period', case when jsonb_typeof(item -> 'interval') = 'string' then item ->> 'interval' end),
      'is_free_trial', app_private.jsonb_boolean(item -> 'is_free_trial'),
      'amount', app_private.jsonb_integer(item #> '{amount,amount}'),
      'currency', item #>> '{amount,currency}',
      'seats', app_private.jsonb_integer(item #> '{seats,quantity}'),
      'period_start', app_private.clerk_time(item -> 'period_start'),
      'period_end', app_private.clerk_time(item -> 'period_end'),
      'canceled_at', app_private.clerk_time(item -> 'canceled_at'),
      'past_due_at', app_private.clerk_time(item -> 'past_due_at'),
      'clerk_created_at', app_private.clerk_time(item -> 'created_at')),
    p_version => app_private.clerk_event_version(event))
  from (select event.data as item,
               case when jsonb_typeof(event.data -> 'payer') = 'object' then event.data -> 'payer'
                    else app_private.jsonb_object_or_empty(p_subscription -> 'payer') || jsonb_strip_nulls(jsonb_build_object('id', p_subscription ->> 'payer_id'))
               end as payer) as parts
$$;
comment on function app_private.apply_subscription_item(app_private.clerk_event, jsonb) is E'Applies the full subscription item in event.data to app_public.billing_subscription_items (staleness guard and audit through apply_clerk_change); p_subscription supplies the subscription id and payer that items embedded in a subscription leave out. The payer is an organization or a user ("" for the other). Returns false when it was stale.';
--! EndIncluded functions/apply_subscription_item.sql
--! Included functions/sync_organization_invitation.sql
create or replace function app_private.sync_organization_invitation(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
begin
  if event.event_type not in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked') then
    return 'ignored';
  end if;
  -- Every invitation event carries the full invitation; accepting and revoking are statuses.
  return case when app_private.apply_clerk_change(
      event, 'organization_invitations', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_data ->> 'organization_id',
        'email_address', v_data ->> 'email_address',
        'role', v_data ->> 'role',
        'role_name', v_data ->> 'role_name',
        'status', v_data ->> 'status',
        'inviter_id', nullif(v_data ->> 'inviter_id', ''),
        'user_id', nullif(v_data ->> 'user_id', ''),
        'url', v_data ->> 'url',
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'expires_at', app_private.clerk_time(v_data -> 'expires_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      -- An invitation of an organization deleted already is stored deleted, as a late one is.
      p_deleted_at => app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', '')),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))
    then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_organization_invitation(app_private.clerk_event) is E'organizationInvitation.created/accepted/revoked into app_public.organization_invitations (a placeholder organization when the invitation arrives first; stored deleted when its organization is). Returns processed, stale or ignored (other organizationInvitation.* types).';
--! EndIncluded functions/sync_organization_invitation.sql
--! Included functions/sync_organization_domain.sql
create or replace function app_private.sync_organization_domain(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changed boolean;
begin
  if event.event_type = 'organizationDomain.deleted' then
    -- A tombstone: it names no organization, the row keeps the one it had.
    v_changed := app_private.apply_clerk_change(event, 'organization_domains', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event));
  elsif event.event_type in ('organizationDomain.created', 'organizationDomain.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'organization_domains', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_data ->> 'organization_id',
        'name', v_data ->> 'name',
        'enrollment_mode', v_data ->> 'enrollment_mode',
        -- `verification` is the deprecated name of affiliation_verification.
        'verification_status', coalesce(v_data #>> '{affiliation_verification,status}', v_data #>> '{verification,status}'),
        'affiliation_email_address', v_data ->> 'affiliation_email_address',
        'total_pending_invitations', app_private.jsonb_integer(v_data -> 'total_pending_invitations'),
        'total_pending_suggestions', app_private.jsonb_integer(v_data -> 'total_pending_suggestions'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', '')));
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_organization_domain(app_private.clerk_event) is E'organizationDomain.created/updated/deleted into app_public.organization_domains; the deletion is a tombstone (soft delete). A placeholder organization when the domain arrives first; stored deleted when its organization is. Returns processed, stale or ignored (other organizationDomain.* types).';
--! EndIncluded functions/sync_organization_domain.sql
--! Included functions/sync_permission.sql
create or replace function app_private.sync_permission(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_id text := event.data ->> 'id';
  v_changed boolean;
begin
  if event.event_type = 'permission.deleted' then
    v_changed := app_private.apply_clerk_change(event, 'permissions', v_id, p_deleted_at => app_private.clerk_deletion_time(event));
    perform app_private.refresh_role_permissions(array(select l.role_id from app_public.role_permissions as l where l.permission_id = v_id));
  elsif event.event_type in ('permission.created', 'permission.updated') then
    v_changed := app_private.apply_permission(event);
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_permission(app_private.clerk_event) is E'permission.created/updated/deleted into app_public.permissions; the deletion is a tombstone (soft delete) and unlinks the permission from every role. Returns processed, stale or ignored (other permission.* types).';
--! EndIncluded functions/sync_permission.sql
--! Included functions/sync_role.sql
create or replace function app_private.sync_role(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_permissions jsonb := case when jsonb_typeof(event.data -> 'permissions') = 'array' then event.data -> 'permissions' else '[]' end;
  v_permission jsonb;
  v_changed boolean := false;
begin
  if event.event_type = 'role.deleted' then
    v_changed := app_private.apply_clerk_change(event, 'roles', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event));
  elsif event.event_type in ('role.created', 'role.updated') then
    -- The embedded permissions first, in id order so concurrent role events lock them in the same order.
    for v_permission in
      select p from jsonb_array_elements(v_permissions) as p where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by p ->> 'id'
    loop
      if app_private.apply_permission(row(event.svix_id, event.event_type, v_permission, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event) then
        v_changed := true;
      end if;
    end loop;
    -- Not `apply_clerk_change(…) or v_changed`: with a subquery among the arguments the statement
    -- is planned with v_changed as a constant, and `… or true` would skip the call.
    if app_private.apply_clerk_change(
      event, 'roles', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'key', v_data ->> 'key',
        'name', v_data ->> 'name',
        'description', v_data ->> 'description',
        'is_creator_eligible', app_private.jsonb_boolean(v_data -> 'is_creator_eligible'),
        'permission_ids', to_jsonb(array(select distinct p ->> 'id' from jsonb_array_elements(v_permissions) as p
                                          where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by 1)),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event)) then
      v_changed := true;
    end if;
  else
    return 'ignored';
  end if;
  perform app_private.refresh_role_permissions(array[v_data ->> 'id']);
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_role(app_private.clerk_event) is E'role.created/updated/deleted into app_public.roles; the deletion is a tombstone (soft delete). The full permissions a role event embeds are applied to app_public.permissions too, and the role''s app_public.role_permissions links are rewritten from its newest version. Returns processed, stale or ignored (other role.* types).';
--! EndIncluded functions/sync_role.sql
--! Included functions/sync_session.sql
create or replace function app_private.sync_session(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
begin
  -- session.pending has no published schema; what it carries is read like any session.
  if event.event_type not in ('session.created', 'session.ended', 'session.removed', 'session.revoked', 'session.pending') then
    return 'ignored';
  end if;
  -- Ending, removing and revoking are statuses: a session is never deleted, and it needs no
  -- placeholder user (sessions are not part of a user's deletion).
  return case when app_private.apply_clerk_change(
      event, 'sessions', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'user_id', nullif(v_data ->> 'user_id', ''),
        'client_id', v_data ->> 'client_id',
        'status', v_data ->> 'status',
        'last_active_organization_id', nullif(v_data ->> 'last_active_organization_id', ''),
        'last_active_at', app_private.clerk_time(v_data -> 'last_active_at'),
        'expire_at', app_private.clerk_time(v_data -> 'expire_at'),
        'abandon_at', app_private.clerk_time(v_data -> 'abandon_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event))
    then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_session(app_private.clerk_event) is E'session.created/ended/removed/revoked/pending into app_public.sessions (status, times, last active organization; the embedded user is not stored). Returns processed, stale or ignored (other session.* types).';
--! EndIncluded functions/sync_session.sql
--! Included functions/sync_clerk_message.sql
create or replace function app_private.sync_clerk_message(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_inserted integer;
begin
  if event.event_type not in ('email.created', 'sms.created') then
    return 'ignored';
  end if;
  if coalesce(v_data ->> 'id', '') = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;
  -- A message is sent once and never changes: the first report of it is the record.
  insert into app_private.clerk_messages (id, channel, slug, status, user_id, to_address, from_address, identifier_id, delivered_by_clerk, svix_id, occurred_at)
  values (
    v_data ->> 'id',
    split_part(event.event_type, '.', 1),
    v_data ->> 'slug',
    v_data ->> 'status',
    nullif(v_data ->> 'user_id', ''),
    -- A deleted user's address is not kept (as user.deleted scrubs it from earlier messages).
    case when not exists (select from app_public.users as u where u.id = v_data ->> 'user_id' and u.deleted_at is not null)
      then coalesce(v_data ->> 'to_email_address', v_data ->> 'to_phone_number') end,
    coalesce(v_data ->> 'from_email_name', v_data ->> 'from_phone_number'),
    coalesce(v_data ->> 'email_address_id', v_data ->> 'phone_number_id'),
    app_private.jsonb_boolean(v_data -> 'delivered_by_clerk'),
    event.svix_id,
    event.occurred_at)
  on conflict (id) do nothing;
  get diagnostics v_inserted = row_count;
  -- The ledger keeps the delivery for replays, which need only the metadata: the codes go.
  update app_private.webhook_events as w
     set payload = jsonb_set(w.payload, '{data}', app_private.redact_one_time_codes(w.payload -> 'data'))
   where w.svix_id = event.svix_id;
  return case when v_inserted > 0 then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_clerk_message(app_private.clerk_event) is E'email.created and sms.created into app_private.clerk_messages (delivery metadata only), and redacts the one-time codes from the delivery''s ledger payload. No audit row: nothing tenant-visible changes. Returns processed, stale (message already recorded) or ignored.';
--! EndIncluded functions/sync_clerk_message.sql
--! Included functions/sync_subscription.sql
create or replace function app_private.sync_subscription(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_item jsonb;
  v_changed boolean := false;
begin
  if event.event_type not in ('subscription.created', 'subscription.updated', 'subscription.active', 'subscription.pastDue') then
    return 'ignored';
  end if;
  v_changed := app_private.apply_clerk_change(
    event, 'billing_subscriptions', v_data ->> 'id',
    p_fields => jsonb_build_object(
      'payer_id', coalesce(nullif(v_data ->> 'payer_id', ''), nullif(v_data #>> '{payer,id}', '')),
      'organization_id', nullif(v_data #>> '{payer,organization_id}', ''),
      'user_id', nullif(v_data #>> '{payer,user_id}', ''),
      'status', v_data ->> 'status',
      'active_at', app_private.clerk_time(v_data -> 'active_at'),
      'past_due_at', app_private.clerk_time(v_data -> 'past_due_at'),
      'canceled_at', app_private.clerk_time(v_data -> 'canceled_at'),
      'ended_at', app_private.clerk_time(v_data -> 'ended_at'),
      'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
    p_version => app_private.clerk_event_version(event));
  -- The embedded items are full items with their own updated_at, in id order (lock order).
  for v_item in
    select i from jsonb_array_elements(case when jsonb_typeof(v_data -> 'items') = 'array' then v_data -> 'items' else '[]' end) as i
     where jsonb_typeof(i) = 'object' and i ->> 'id' <> '' order by i ->> 'id'
  loop
    if app_private.apply_subscription_item(row(event.svix_id, event.event_type, v_item, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event, v_data) then
      v_changed := true;
    end if;
  end loop;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_subscription(app_private.clerk_event) is E'subscription.created/updated/active/pastDue into app_public.billing_subscriptions, and the items it embeds into app_public.billing_subscription_items. Returns processed, stale or ignored (other subscription.* types).';
--! EndIncluded functions/sync_subscription.sql
--! Included functions/sync_subscription_item.sql
create or replace function app_private.sync_subscription_item(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  -- Every subscriptionItem.* event carries the full item; what happened is in its status.
  if event.event_type not in ('subscriptionItem.created', 'subscriptionItem.updated', 'subscriptionItem.active', 'subscriptionItem.canceled',
                              'subscriptionItem.upcoming', 'subscriptionItem.ended', 'subscriptionItem.abandoned', 'subscriptionItem.incomplete',
                              'subscriptionItem.pastDue', 'subscriptionItem.freeTrialEnding') then
    return 'ignored';
  end if;
  return case when app_private.apply_subscription_item(event) then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_subscription_item(app_private.clerk_event) is E'subscriptionItem.* (created, updated, active, canceled, upcoming, ended, abandoned, incomplete, pastDue, freeTrialEnding) into app_public.billing_subscription_items. freeTrialEnding is a reminder that repeats the item unchanged, so it is usually stale. Returns processed, stale or ignored (other subscriptionItem.* types).';
--! EndIncluded functions/sync_subscription_item.sql

-- The core families' functions, changed for the catalog: dispatch to the new families, organization
-- deletion takes invitations and domains along, user deletion forgets the address in message metadata.
--! Included functions/sync_user.sql
create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  -- What a deletion leaves of a user's personal data (SPEC 2.5: email, names, image, metadata).
  c_scrub constant jsonb := '{"email": null, "first_name": null, "last_name": null, "username": null, "image_url": null,
                              "public_metadata": {}, "onboarding_complete": false, "role": null}';
  v_data jsonb := event.data;
  v_public_metadata jsonb := app_private.jsonb_object_or_empty(event.data -> 'public_metadata');
  v_deleted_at timestamptz;
  v_changed boolean;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    v_changed := app_private.apply_clerk_change(event, 'users', v_data ->> 'id', p_deleted_at => v_deleted_at, p_scrub => c_scrub);
    v_changed := app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at) or v_changed;
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'users', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'email', (select e ->> 'email_address'
                    from jsonb_array_elements(case when jsonb_typeof(v_data -> 'email_addresses') = 'array' then v_data -> 'email_addresses' else '[]' end) as e
                   where e ->> 'id' = v_data ->> 'primary_email_address_id'
                   limit 1),
        'first_name', v_data ->> 'first_name',
        'last_name', v_data ->> 'last_name',
        'username', v_data ->> 'username',
        'image_url', v_data ->> 'image_url',
        'public_metadata', v_public_metadata,
        'onboarding_complete', coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false),
        'role', case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end,
        'banned', coalesce(app_private.jsonb_boolean(v_data -> 'banned'), false),
        'locked', coalesce(app_private.jsonb_boolean(v_data -> 'locked'), false),
        'last_sign_in_at', app_private.clerk_time(v_data -> 'last_sign_in_at'),
        'last_active_at', app_private.clerk_time(v_data -> 'last_active_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'),
      p_scrub => c_scrub);
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
--! EndIncluded functions/sync_user.sql
--! Included functions/sync_organization.sql
create or replace function app_private.sync_organization(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_deleted_at timestamptz;
  v_changed boolean;
begin
  if event.event_type = 'organization.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    v_changed := app_private.apply_clerk_change(event, 'organizations', v_data ->> 'id', p_deleted_at => v_deleted_at);
    v_changed := app_private.cascade_clerk_delete(event, 'organization_memberships', 'organization_id', v_data ->> 'id', v_deleted_at) or v_changed;
    v_changed := app_private.cascade_clerk_delete(event, 'organization_invitations', 'organization_id', v_data ->> 'id', v_deleted_at) or v_changed;
    v_changed := app_private.cascade_clerk_delete(event, 'organization_domains', 'organization_id', v_data ->> 'id', v_deleted_at) or v_changed;
  elsif event.event_type in ('organization.created', 'organization.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'organizations', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'name', v_data ->> 'name',
        'slug', v_data ->> 'slug',
        'image_url', v_data ->> 'image_url',
        'created_by', nullif(v_data ->> 'created_by', ''),
        'max_allowed_memberships', app_private.jsonb_integer(v_data -> 'max_allowed_memberships'),
        'admin_delete_enabled', app_private.jsonb_boolean(v_data -> 'admin_delete_enabled'),
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'));
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships, invitations and domains. Returns processed, stale or ignored (other organization.* types).';
--! EndIncluded functions/sync_organization.sql
--! Included functions/sync_clerk_event.sql
create or replace function app_private.sync_clerk_event(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  return case split_part(event.event_type, '.', 1)
    when 'user' then app_private.sync_user(event)
    when 'organization' then app_private.sync_organization(event)
    when 'organizationMembership' then app_private.sync_membership(event)
    when 'organizationInvitation' then app_private.sync_organization_invitation(event)
    when 'organizationDomain' then app_private.sync_organization_domain(event)
    when 'role' then app_private.sync_role(event)
    when 'permission' then app_private.sync_permission(event)
    when 'session' then app_private.sync_session(event)
    when 'email' then app_private.sync_clerk_message(event)
    when 'sms' then app_private.sync_clerk_message(event)
    when 'subscription' then app_private.sync_subscription(event)
    when 'subscriptionItem' then app_private.sync_subscription_item(event)
    -- Deliberately ledger-only (README, "What each event type changes"): waitlistEntry.* and
    -- invitation.* concern the application's sign-up funnel, not a tenant; paymentAttempt.* holds
    -- payment details whose tenant-visible effect is the subscription's status.
    else 'ignored'
  end;
end;
$$;
comment on function app_private.sync_clerk_event(app_private.clerk_event) is E'Dispatches an event to the sync function of its family (the part of the type before the dot); types of no modelled family (waitlistEntry, invitation, paymentAttempt, anything unknown) are ignored. Returns processed, stale or ignored.';
--! EndIncluded functions/sync_clerk_event.sql
