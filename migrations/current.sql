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

--!include policies/organization_invitations.sql
--!include policies/organization_domains.sql
--!include policies/permissions.sql
--!include policies/roles.sql
--!include policies/role_permissions.sql
--!include policies/sessions.sql
--!include policies/billing_subscriptions.sql
--!include policies/billing_subscription_items.sql

--!include functions/redact_one_time_codes.sql
--!include functions/refresh_role_permissions.sql
--!include functions/apply_permission.sql
--!include functions/apply_subscription_item.sql
--!include functions/sync_organization_invitation.sql
--!include functions/sync_organization_domain.sql
--!include functions/sync_permission.sql
--!include functions/sync_role.sql
--!include functions/sync_session.sql
--!include functions/sync_clerk_message.sql
--!include functions/sync_subscription.sql
--!include functions/sync_subscription_item.sql

-- The core families' functions, changed for the catalog: dispatch to the new families, organization
-- deletion takes invitations and domains along, user deletion forgets the address in message metadata.
--!include functions/sync_user.sql
--!include functions/sync_organization.sql
--!include functions/sync_clerk_event.sql
