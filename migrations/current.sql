-- The drift sentinel's memory: shapes (sorted key sets) per event type, keys with first and last
-- sighting, and every change it reported.
create table if not exists app_private.payload_shapes (
  event_type text not null,
  keys text[] not null,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  primary key (event_type, keys)
);
comment on table app_private.payload_shapes is E'Each distinct set of top-level data keys seen per Clerk event type (the drift sentinel).';
create table if not exists app_private.payload_keys (
  event_type text not null,
  key text not null,
  shapes int not null default 1,
  first_seen timestamptz not null default now(),
  last_seen timestamptz not null default now(),
  primary key (event_type, key)
);
comment on table app_private.payload_keys is E'Top-level data keys per Clerk event type, with the number of shapes that carried them and when they were first and last seen (hourly).';
create table if not exists app_private.payload_key_changes (
  id bigint generated always as identity primary key,
  event_type text not null,
  key text not null,
  change text not null check (change in ('added', 'missing')),
  seen_at timestamptz not null default now()
);
comment on table app_private.payload_key_changes is E'Every key the drift sentinel reported as added or missing, when it did.';

--!include functions/observe_payload_shape.sql
--!include functions/handle_clerk_event.sql
--!include functions/users_synced.sql
--!include functions/organizations_synced.sql
--!include functions/process_clerk_event.sql
--!include functions/webhook_event_result.sql
--!include functions/organization_version_of.sql
--!include functions/user_version_of.sql
--!include functions/sync_organization.sql
--!include functions/sync_user.sql
--!include functions/apply_embedded_version.sql
--!include functions/fill_placeholder.sql
--!include functions/clerk_event_is_newest.sql
--!include functions/check_clerk_id.sql
--!include functions/check_clerk_shape.sql
--!include functions/process_clerk_event.sql
--!include functions/sync_organization_membership.sql
--!include functions/sync_session.sql
--!include functions/sync_organization_invitation.sql
