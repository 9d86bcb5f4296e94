--! Previous: sha1:ba498816555ca05de7d4a5af72ebbafed3386888
--! Hash: sha1:8f840b2f82e3a74c0f2ef1c5c05dceb59f17b387
--! Message: Synced tables, audit log, webhook ledger

-- The synced tables, the audit log and the webhook ledger (issue 4).
-- Re-runnable: graphile-migrate runs this file again on every change while it is current.
drop table if exists app_private.webhook_events cascade;
drop table if exists app_private.private_metadata cascade;
drop table if exists app_public.audit_logs cascade;
drop table if exists app_public.organization_memberships cascade;
drop table if exists app_public.organizations cascade;
drop table if exists app_public.users cascade;

-- Every synced table shares the bookkeeping columns the generic sync helpers rely on:
-- id (Clerk's id), clerk_created_at, clerk_updated_at (the version guarding against stale
-- events; null on placeholder rows), deleted_at (soft delete) and synced_at.

create table app_public.organizations (
  id text primary key,
  name text,
  slug text,
  image_url text,
  created_by text,
  max_allowed_memberships integer,
  admin_delete_enabled boolean,
  public_metadata jsonb not null default '{}',
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
create index organizations_slug_idx on app_public.organizations (slug);
comment on table app_public.organizations is E'Clerk organizations (tenants), kept in step by the Clerk webhooks. Read-only: Clerk is the source of truth. A row whose clerk_updated_at is null is a placeholder created because a membership arrived before its organization; the organization''s own event completes it.';
comment on column app_public.organizations.id is E'Clerk organization id (org_…).';
comment on column app_public.organizations.name is E'Display name.';
comment on column app_public.organizations.slug is E'URL slug; unique among live organizations in Clerk, but a deleted organization''s slug can be reused, so not unique here.';
comment on column app_public.organizations.image_url is E'Logo URL served by Clerk.';
comment on column app_public.organizations.created_by is E'Clerk user id of the creator, when Clerk reports it.';
comment on column app_public.organizations.max_allowed_memberships is E'Membership limit configured in Clerk (0 means unlimited in Clerk).';
comment on column app_public.organizations.admin_delete_enabled is E'Whether organization admins may delete the organization.';
comment on column app_public.organizations.public_metadata is E'Clerk public metadata (e.g. mcNumber, dotNumber, companyName). Private metadata is never stored here.';
comment on column app_public.organizations.clerk_created_at is E'When Clerk created the organization.';
comment on column app_public.organizations.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale. Null on placeholders.';
comment on column app_public.organizations.deleted_at is E'When the organization was deleted in Clerk (soft delete); null while it exists.';
comment on column app_public.organizations.synced_at is E'When this row was last written by the sync.';

create table app_public.users (
  id text primary key,
  email text,
  first_name text,
  last_name text,
  username text,
  image_url text,
  public_metadata jsonb not null default '{}',
  onboarding_complete boolean not null default false,
  role text,
  banned boolean not null default false,
  locked boolean not null default false,
  last_sign_in_at timestamptz,
  last_active_at timestamptz,
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
comment on table app_public.users is E'Clerk users, kept in step by the Clerk webhooks. Read-only. A deleted user keeps its row (soft delete) with personal data scrubbed. A row whose clerk_updated_at is null is a placeholder created because a membership arrived before its user.';
comment on column app_public.users.id is E'Clerk user id (user_…).';
comment on column app_public.users.email is E'Primary email address: the entry of email_addresses whose id is primary_email_address_id (null when there is none).';
comment on column app_public.users.first_name is E'First name; null when not given.';
comment on column app_public.users.last_name is E'Last name; null when not given.';
comment on column app_public.users.username is E'Username; null when the instance does not use usernames.';
comment on column app_public.users.image_url is E'Profile image URL served by Clerk.';
comment on column app_public.users.public_metadata is E'Clerk public metadata. Private metadata is never stored here.';
comment on column app_public.users.onboarding_complete is E'public_metadata.onboardingComplete (true or "true"); gates the app.';
comment on column app_public.users.role is E'Application role from public_metadata.role, when it is a string.';
comment on column app_public.users.banned is E'Banned in Clerk.';
comment on column app_public.users.locked is E'Locked in Clerk (too many failed sign-ins).';
comment on column app_public.users.last_sign_in_at is E'Last sign-in as reported by Clerk.';
comment on column app_public.users.last_active_at is E'Last activity as reported by Clerk.';
comment on column app_public.users.clerk_created_at is E'When Clerk created the user.';
comment on column app_public.users.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale. Null on placeholders.';
comment on column app_public.users.deleted_at is E'When the user was deleted in Clerk (soft delete, personal data scrubbed); null while the user exists.';
comment on column app_public.users.synced_at is E'When this row was last written by the sync.';

create table app_public.organization_memberships (
  id text primary key,
  organization_id text not null,
  user_id text not null,
  role text,
  role_name text,
  permissions text[] not null default '{}',
  public_metadata jsonb not null default '{}',
  clerk_created_at timestamptz,
  clerk_updated_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now()
);
-- No foreign keys: Clerk delivers in any order, so a membership may arrive first; the sync
-- creates placeholder organization and user rows for it instead.
create index organization_memberships_organization_id_idx on app_public.organization_memberships (organization_id);
create index organization_memberships_user_id_idx on app_public.organization_memberships (user_id);
comment on table app_public.organization_memberships is E'Clerk organization memberships: which user belongs to which organization, with which role and permissions. Read-only.';
comment on column app_public.organization_memberships.id is E'Clerk membership id (orgmem_…).';
comment on column app_public.organization_memberships.organization_id is E'The organization (data.organization.id).';
comment on column app_public.organization_memberships.user_id is E'The member (data.public_user_data.user_id).';
comment on column app_public.organization_memberships.role is E'Role key as sent, e.g. org:admin, or a legacy admin / basic_member.';
comment on column app_public.organization_memberships.role_name is E'Human-readable role name, e.g. Dispatcher.';
comment on column app_public.organization_memberships.permissions is E'Permission keys of the role, e.g. org:sys_memberships:read.';
comment on column app_public.organization_memberships.public_metadata is E'Clerk public metadata of the membership.';
comment on column app_public.organization_memberships.clerk_created_at is E'When Clerk created the membership.';
comment on column app_public.organization_memberships.clerk_updated_at is E'Clerk''s updated_at of the newest version applied; events not newer than this are stale.';
comment on column app_public.organization_memberships.deleted_at is E'When the membership ended (its own deletion, or its organization''s or user''s); null while it exists.';
comment on column app_public.organization_memberships.synced_at is E'When this row was last written by the sync.';

create table app_public.audit_logs (
  id bigint generated always as identity primary key,
  organization_id text,
  entity_kind text not null,
  entity_id text not null,
  action text not null check (action in ('created', 'updated', 'deleted')),
  changes jsonb not null,
  svix_id text not null,
  event_type text not null,
  client_ip text,
  user_agent text,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index audit_logs_organization_id_idx on app_public.audit_logs (organization_id, occurred_at desc);
create index audit_logs_entity_idx on app_public.audit_logs (entity_kind, entity_id);
comment on table app_public.audit_logs is E'One row per change the Clerk sync made to a synced row, with what changed and which delivery caused it.';
comment on column app_public.audit_logs.id is E'Sequence number of the change.';
comment on column app_public.audit_logs.organization_id is E'The organization the changed row belongs to (the organization itself, or a membership''s organization); null for users, who belong to no single organization.';
comment on column app_public.audit_logs.entity_kind is E'The synced table of the changed row: users, organizations, organization_memberships, ….';
comment on column app_public.audit_logs.entity_id is E'Clerk id of the changed row.';
comment on column app_public.audit_logs.action is E'created (first data for the row), updated, or deleted (soft delete).';
comment on column app_public.audit_logs.changes is E'Only the fields that changed: {"field": {"before": …, "after": …}}. Private metadata appears as "[redacted]"; personal data scrubbed by a user deletion is "[redacted]" here and in that user''s earlier rows.';
comment on column app_public.audit_logs.svix_id is E'The delivery (svix-id, or payload hash for deliveries without one) that made the change.';
comment on column app_public.audit_logs.event_type is E'Clerk event type, e.g. organizationMembership.updated.';
comment on column app_public.audit_logs.client_ip is E'IP address of the request that triggered the event in Clerk (event_attributes.http_request.client_ip), when Clerk sends it.';
comment on column app_public.audit_logs.user_agent is E'User agent of the request that triggered the event in Clerk, when Clerk sends it.';
comment on column app_public.audit_logs.occurred_at is E'When the event happened in Clerk (envelope timestamp; the object''s updated_at or the receive time when missing).';
comment on column app_public.audit_logs.created_at is E'When the change was written.';

create table app_private.private_metadata (
  entity_kind text not null,
  entity_id text not null,
  private_metadata jsonb not null,
  primary key (entity_kind, entity_id)
);
comment on table app_private.private_metadata is E'Clerk private_metadata of synced rows (users, organizations, memberships, …), kept apart so no tenant role can ever read it.';
comment on column app_private.private_metadata.entity_kind is E'The synced table the metadata belongs to (users, organizations, …).';
comment on column app_private.private_metadata.entity_id is E'Clerk id of the row.';
comment on column app_private.private_metadata.private_metadata is E'The private_metadata object of the newest version applied.';

create table app_private.webhook_events (
  svix_id text primary key,
  event_type text,
  object_id text,
  organization_id text,
  payload jsonb not null,
  source text not null default 'webhook',
  outcome text not null check (outcome in ('processed', 'stale', 'ignored', 'failed')),
  error_code text,
  error_message text,
  attempts integer not null default 1,
  duplicates integer not null default 0,
  occurred_at timestamptz,
  received_at timestamptz not null default now(),
  last_received_at timestamptz not null default now(),
  processed_at timestamptz
);
create index webhook_events_received_at_idx on app_private.webhook_events (received_at);
create index webhook_events_failed_idx on app_private.webhook_events (received_at) where outcome = 'failed';
create index webhook_events_object_id_idx on app_private.webhook_events (object_id);
comment on table app_private.webhook_events is E'The ledger: every verified Clerk delivery, once, keyed by svix-id. Makes duplicates harmless and failed deliveries replayable (app_private.replay_webhook_event).';
comment on column app_private.webhook_events.svix_id is E'The svix-id header (the same on every retry and replay), or sha256:<hex of the payload> when the caller had none.';
comment on column app_private.webhook_events.event_type is E'Clerk event type (payload.type); null when the payload had none.';
comment on column app_private.webhook_events.object_id is E'Clerk id of the object the event is about (data.id).';
comment on column app_private.webhook_events.organization_id is E'Organization the event concerns, when it has one.';
comment on column app_private.webhook_events.payload is E'The delivered body as received (a JSON string when the body was not JSON).';
comment on column app_private.webhook_events.source is E'Who submitted the event: webhook (default), backfill, or another caller naming itself.';
comment on column app_private.webhook_events.outcome is E'processed (changed data), stale (older than what we hold), ignored (type not modelled), failed (permanent error, see error_*).';
comment on column app_private.webhook_events.error_code is E'SQLSTATE of the permanent error when outcome is failed.';
comment on column app_private.webhook_events.error_message is E'Message of the permanent error when outcome is failed.';
comment on column app_private.webhook_events.attempts is E'How many times the event was processed: 1, plus one per replay.';
comment on column app_private.webhook_events.duplicates is E'How many further deliveries of the same svix-id arrived (answered duplicate, changed nothing).';
comment on column app_private.webhook_events.occurred_at is E'Envelope timestamp (when it happened in Clerk), when present.';
comment on column app_private.webhook_events.received_at is E'When the first delivery arrived; stands in for missing event times, so replays decide the same way.';
comment on column app_private.webhook_events.last_received_at is E'When the latest delivery of this svix-id arrived.';
comment on column app_private.webhook_events.processed_at is E'When the latest processing finished.';

--! Included policies/organizations.sql
-- Row-level security of app_public.organizations. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organizations enable row level security;
alter table app_public.organizations force row level security;

drop policy if exists sync_owner_all on app_public.organizations;
create policy sync_owner_all on app_public.organizations for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organizations is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';
--! EndIncluded policies/organizations.sql
--! Included policies/users.sql
-- Row-level security of app_public.users. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.users enable row level security;
alter table app_public.users force row level security;

drop policy if exists sync_owner_all on app_public.users;
create policy sync_owner_all on app_public.users for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.users is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';
--! EndIncluded policies/users.sql
--! Included policies/organization_memberships.sql
-- Row-level security of app_public.organization_memberships. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_memberships enable row level security;
alter table app_public.organization_memberships force row level security;

drop policy if exists sync_owner_all on app_public.organization_memberships;
create policy sync_owner_all on app_public.organization_memberships for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_memberships is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';
--! EndIncluded policies/organization_memberships.sql
--! Included policies/audit_logs.sql
-- Row-level security of app_public.audit_logs. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.audit_logs enable row level security;
alter table app_public.audit_logs force row level security;

drop policy if exists sync_owner_all on app_public.audit_logs;
create policy sync_owner_all on app_public.audit_logs for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.audit_logs is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';
--! EndIncluded policies/audit_logs.sql
