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
comment on column app_private.payload_shapes.event_type is E'The Clerk event type (user.created, …).';
comment on column app_private.payload_shapes.keys is E'The top-level data keys of one delivery shape, sorted.';
comment on column app_private.payload_shapes.first_seen is E'When a delivery of this shape was first seen.';
comment on column app_private.payload_shapes.last_seen is E'When one was last seen (updated at most hourly).';
comment on column app_private.payload_keys.event_type is E'The Clerk event type (user.created, …).';
comment on column app_private.payload_keys.key is E'A top-level data key deliveries of the type carried.';
comment on column app_private.payload_keys.shapes is E'How many shapes of the type carry the key: a key every shape carries is expected.';
comment on column app_private.payload_keys.first_seen is E'When a delivery first carried the key.';
comment on column app_private.payload_keys.last_seen is E'When one last carried it (updated at most hourly).';
comment on column app_private.payload_key_changes.id is E'Order of the reports.';
comment on column app_private.payload_key_changes.event_type is E'The Clerk event type whose shape changed.';
comment on column app_private.payload_key_changes.key is E'The key that appeared or went missing.';
comment on column app_private.payload_key_changes.change is E'added: no earlier delivery of the type had it; missing: every earlier shape had it.';
comment on column app_private.payload_key_changes.seen_at is E'When the delivery that showed the change arrived.';

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
