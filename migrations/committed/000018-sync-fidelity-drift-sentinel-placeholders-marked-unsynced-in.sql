--! Previous: sha1:2fba094edd9141d45c7da54ecd9630d603ce7de6
--! Hash: sha1:7e65d5be64f71fb13159c250019ce3e1a9de4628
--! Message: Sync fidelity: drift sentinel, placeholders marked unsynced, instance pinning, embedded objects as versions, snapshots on placeholders, shape validation

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

--! Included functions/observe_payload_shape.sql
-- The drift sentinel: remembers which top-level `data` keys each event type has carried, and warns
-- (RAISE WARNING, which the receiver logs and counts) when a key appears that no earlier delivery
-- of the type had, or when a key every earlier shape had is missing. Most deliveries repeat a known
-- shape: they cost one primary-key lookup and write nothing; last_seen moves at most hourly.
create or replace function app_private.observe_payload_shape(event_type text, data jsonb) returns void
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_keys text[];
  v_last_seen timestamptz;
  v_known_shapes int;
  v_added text[];
  v_missing text[];
begin
  if observe_payload_shape.event_type is null or jsonb_typeof(observe_payload_shape.data) is distinct from 'object' then
    return;
  end if;
  v_keys := array(select k from jsonb_object_keys(observe_payload_shape.data) as k order by k);

  select s.last_seen into v_last_seen
    from app_private.payload_shapes s
   where s.event_type = observe_payload_shape.event_type and s.keys = v_keys;
  if found then
    if v_last_seen < now() - interval '1 hour' then
      update app_private.payload_shapes s set last_seen = now()
       where s.event_type = observe_payload_shape.event_type and s.keys = v_keys;
      update app_private.payload_keys k set last_seen = now()
       where k.event_type = observe_payload_shape.event_type and k.key = any(v_keys);
    end if;
    return;
  end if;

  -- A shape not seen before. Concurrent deliveries of the same new shape: one inserts and reports.
  insert into app_private.payload_shapes as s (event_type, keys) values (observe_payload_shape.event_type, v_keys)
  on conflict do nothing;
  if not found then
    return;
  end if;
  select count(*) - 1 into v_known_shapes from app_private.payload_shapes s where s.event_type = observe_payload_shape.event_type;

  -- The first shape of a type is the baseline: its keys are learned, not reported.
  if v_known_shapes > 0 then
    v_added := array(
      select k from unnest(v_keys) as k
       where not exists (select 1 from app_private.payload_keys pk where pk.event_type = observe_payload_shape.event_type and pk.key = k));
    -- Expected keys: those every earlier shape of the type carried.
    v_missing := array(
      select pk.key from app_private.payload_keys pk
       where pk.event_type = observe_payload_shape.event_type
         and pk.key <> all (v_keys)
         and pk.shapes = v_known_shapes
       order by pk.key);
  end if;

  insert into app_private.payload_keys as pk (event_type, key)
  select observe_payload_shape.event_type, k from unnest(v_keys) as k
  on conflict on constraint payload_keys_pkey do update set shapes = pk.shapes + 1, last_seen = now();

  if coalesce(cardinality(v_added), 0) + coalesce(cardinality(v_missing), 0) > 0 then
    insert into app_private.payload_key_changes (event_type, key, change)
    select observe_payload_shape.event_type, k, 'added' from unnest(v_added) as k
    union all
    select observe_payload_shape.event_type, k, 'missing' from unnest(v_missing) as k;
    raise warning using
      message = 'clerk payload shape changed',
      detail = jsonb_build_object('event_type', observe_payload_shape.event_type, 'added', coalesce(to_jsonb(v_added), '[]'), 'missing', coalesce(to_jsonb(v_missing), '[]'))::text,
      hint = 'payload_shape_changed';
  end if;
end;
$$;
revoke all on function app_private.observe_payload_shape(text, jsonb) from public;
comment on function app_private.observe_payload_shape(text, jsonb) is
  E'Drift sentinel: records the top-level data keys of a delivery''s event type in app_private.payload_shapes '
  'and app_private.payload_keys, and on a new shape records added and missing keys in '
  'app_private.payload_key_changes and raises a warning (hint payload_shape_changed) that the receiver '
  'logs and counts. A known shape costs one lookup.';
--! EndIncluded functions/observe_payload_shape.sql
--! Included functions/handle_clerk_event.sql
-- One delivery, one transaction: claim the key (a duplicate stops here), sync, then write the
-- ledger row once with its outcome. The ledger's only writes on this path are in
-- claim_webhook_key and record_webhook_event.
create or replace function app_private.handle_clerk_event(payload jsonb, svix_id text default null, source text default 'webhook') returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_key text;
  v_earlier app_private.webhook_events;
  -- Redacted before anything reads it, so the ledger holds it whatever the outcome.
  v_payload jsonb;
  v_occurred_at timestamptz;
  v_outcome text;
  v_error_code text;
  v_error_message text;
begin
  if handle_clerk_event.payload is null then
    raise exception 'handle_clerk_event needs a payload' using errcode = '22004';
  end if;
  -- Without a svix-id the key hashes the payload as received, not as stored: the same raw delivery
  -- sent again is still recognised as a duplicate.
  v_key := coalesce(nullif(handle_clerk_event.svix_id, ''), 'sha256:' || encode(sha256(convert_to(handle_clerk_event.payload::text, 'UTF8')), 'hex'));
  v_earlier := app_private.claim_webhook_key(v_key);
  if v_earlier.svix_id is not null then
    return app_private.webhook_event_result(v_earlier, 'duplicate');
  end if;

  v_payload := app_private.webhook_payload_to_store(handle_clerk_event.payload);
  v_occurred_at := app_private.clerk_time(v_payload -> 'timestamp');
  select p.outcome, p.error_code, p.error_message into v_outcome, v_error_code, v_error_message
    from app_private.process_clerk_event(app_private.clerk_event_of(v_key, v_payload, coalesce(v_occurred_at, now())), v_payload) as p;
  -- After the sync, so a delivery rolled back for a transient error reports nothing; live
  -- deliveries only: backfilled objects are the Backend API's JSON, another shape.
  if coalesce(nullif(handle_clerk_event.source, ''), 'webhook') = 'webhook' then
    perform app_private.observe_payload_shape(v_payload ->> 'type', v_payload -> 'data');
  end if;
  return app_private.webhook_event_result(
    app_private.record_webhook_event(v_key, v_payload, coalesce(nullif(handle_clerk_event.source, ''), 'webhook'),
                                     v_outcome, v_error_code, v_error_message, v_occurred_at),
    v_outcome);
end;
$$;
revoke all on function app_private.handle_clerk_event(jsonb, text, text) from public;
grant execute on function app_private.handle_clerk_event(jsonb, text, text) to clerk_webhook;
comment on function app_private.handle_clerk_event(jsonb, text, text) is E'The single entry point for Clerk events (webhook route, backfill, a DBA by hand). Applies the event once and records the delivery in app_private.webhook_events keyed by svix_id (sha256:<hex> of the payload as received when null), with the payload as app_private.webhook_payload_to_store returns it (one-time codes redacted), all in the caller''s transaction; a concurrent delivery of the same key waits for it and answers duplicate. Returns {"status": "processed"|"duplicate"|"stale"|"ignored"|"failed", "svix_id", "event_type", "object_id", "organization_id" (when known), "error": {"code": SQLSTATE, "message"} (failed only), "original_status" (duplicate only: the outcome recorded for the first delivery)}. Permanent processing errors are caught and returned as failed with the ledger row kept; transient errors (SQLSTATE classes 40, 53, 57, 08, 55P03) are raised so the caller can answer 503. source names the caller in the ledger (webhook, backfill, …).';
--! EndIncluded functions/handle_clerk_event.sql
--! Included functions/users_synced.sql
-- A user row can exist before Clerk has sent the user itself: a membership (or invitation)
-- that arrived first leaves a placeholder holding only the id. Clients tell the two apart here.
create or replace function app_public.users_synced(app_user app_public.users) returns boolean
  language sql stable
  as $$
    select app_user.clerk_updated_at is not null
$$;

comment on function app_public.users_synced(app_public.users) is
  E'True once a version of this user from Clerk has been applied; false for a placeholder, created '
  'because another object (a membership, an invitation) named it first, whose fields are still empty.';
grant execute on function app_public.users_synced(app_public.users) to authenticated;
--! EndIncluded functions/users_synced.sql
--! Included functions/organizations_synced.sql
-- A organization row can exist before Clerk has sent the organization itself: a membership (or invitation)
-- that arrived first leaves a placeholder holding only the id. Clients tell the two apart here.
create or replace function app_public.organizations_synced(organization app_public.organizations) returns boolean
  language sql stable
  as $$
    select organization.clerk_updated_at is not null
$$;

comment on function app_public.organizations_synced(app_public.organizations) is
  E'True once a version of this organization from Clerk has been applied; false for a placeholder, created '
  'because another object (a membership, an invitation) named it first, whose fields are still empty.';
grant execute on function app_public.organizations_synced(app_public.organizations) to authenticated;
--! EndIncluded functions/organizations_synced.sql
--! Included functions/process_clerk_event.sql
-- The sync of one event inside its own subtransaction: a permanent error undoes the sync's writes
-- and becomes the outcome failed, so the ledger row can still be written and kept.
create or replace function app_private.process_clerk_event(
  event app_private.clerk_event,
  p_payload jsonb,
  out outcome text,
  out error_code text,
  out error_message text
) language plpgsql volatile as $$
begin
  if jsonb_typeof(p_payload) is distinct from 'object' then
    raise exception 'payload is not a JSON object' using errcode = '22023';
  elsif event.event_type is null then
    raise exception 'payload has no type' using errcode = '22023';
  end if;
  -- Instance pinning: the receiver's connections carry CLERK_INSTANCE_ID as clerk.instance_ids. A
  -- delivery from another Clerk instance (a dev endpoint pointed at production) changes nothing;
  -- one without instance_id is accepted, as some real deliveries lack it.
  if p_payload ? 'instance_id'
     and nullif(current_setting('clerk.instance_ids', true), '') is not null
     and not (p_payload ->> 'instance_id' = any (string_to_array(current_setting('clerk.instance_ids', true), ','))) then
    outcome := 'ignored';
    error_message := 'foreign_instance';
    return;
  end if;
  perform app_private.check_clerk_shape(event.event_type, event.data);
  outcome := app_private.sync_clerk_event(event);
exception
  -- Transient: the whole delivery rolls back and the caller answers 503, so Svix retries.
  when transaction_rollback or insufficient_resources or operator_intervention or connection_exception or lock_not_available then
    raise;
  -- Permanent: the sync's writes are undone, the ledger row keeps the error for a replay.
  when others then
    get stacked diagnostics error_code = returned_sqlstate, error_message = message_text;
    outcome := 'failed';
end;
$$;
comment on function app_private.process_clerk_event(app_private.clerk_event, jsonb) is E'Runs the sync of one event (p_payload: the stored payload it was built from) and returns its outcome: processed, stale, ignored (error_message foreign_instance when the delivery''s instance_id is not one of clerk.instance_ids), or failed with the SQLSTATE and message of a permanent error, whose writes are undone. Transient errors (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried.';
--! EndIncluded functions/process_clerk_event.sql
--! Included functions/webhook_event_result.sql
create or replace function app_private.webhook_event_result(ledger app_private.webhook_events, status text) returns jsonb
language sql immutable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'status', status,
    'svix_id', ledger.svix_id,
    'event_type', ledger.event_type,
    'object_id', ledger.object_id,
    'organization_id', ledger.organization_id,
    'error', case when status = 'failed' then jsonb_build_object('code', ledger.error_code, 'message', ledger.error_message) end,
    -- Why a delivery was ignored, when it was for a reason of its own (foreign_instance).
    'reason', case when status = 'ignored' then ledger.error_message end,
    'original_status', case when status = 'duplicate' then ledger.outcome end))
$$;
comment on function app_private.webhook_event_result(app_private.webhook_events, text) is E'The result object of handle_clerk_event and replay_webhook_event for a ledger row: status, svix_id, event_type, object_id, organization_id (when known), error {code, message} when failed, reason when ignored for a reason of its own (foreign_instance), original_status (the recorded outcome) when duplicate.';
--! EndIncluded functions/webhook_event_result.sql
--! Included functions/organization_version_of.sql
-- The columns of app_public.organizations that one version of a Clerk organization (its JSON)
-- holds. Shared by organization.* events and the copies other events embed (a membership's
-- organization), so both are read the same way.
create or replace function app_private.organization_version_of(data jsonb) returns app_public.organizations
language plpgsql immutable as $$
declare
  v_organization app_public.organizations;
begin
  v_organization.name := organization_version_of.data ->> 'name';
  v_organization.slug := organization_version_of.data ->> 'slug';
  v_organization.image_url := organization_version_of.data ->> 'image_url';
  v_organization.created_by := nullif(organization_version_of.data ->> 'created_by', '');
  v_organization.max_allowed_memberships := app_private.jsonb_integer(organization_version_of.data -> 'max_allowed_memberships');
  v_organization.admin_delete_enabled := app_private.jsonb_boolean(organization_version_of.data -> 'admin_delete_enabled');
  v_organization.public_metadata := app_private.jsonb_object_or_empty(organization_version_of.data -> 'public_metadata');
  v_organization.clerk_created_at := app_private.clerk_time(organization_version_of.data -> 'created_at');
  return v_organization;
end;
$$;
comment on function app_private.organization_version_of(jsonb) is
  E'The app_public.organizations columns a Clerk organization''s JSON holds (name, slug, image, creator, '
  'limits, public metadata, creation time); id and bookkeeping columns are left to the caller.';
--! EndIncluded functions/organization_version_of.sql
--! Included functions/user_version_of.sql
-- The columns of app_public.users that one version of a Clerk user (its JSON) holds. Shared by
-- user.* events and the copies other events embed (a session's user), so both are read the same way.
create or replace function app_private.user_version_of(data jsonb) returns app_public.users
language plpgsql immutable as $$
declare
  v_public_metadata jsonb;
  v_user app_public.users;
begin
  v_public_metadata := app_private.jsonb_object_or_empty(user_version_of.data -> 'public_metadata');
  v_user.email := (select e ->> 'email_address'
                     from jsonb_array_elements(case when jsonb_typeof(user_version_of.data -> 'email_addresses') = 'array' then user_version_of.data -> 'email_addresses' else '[]' end) as e
                    where e ->> 'id' = user_version_of.data ->> 'primary_email_address_id'
                    limit 1);
  v_user.first_name := user_version_of.data ->> 'first_name';
  v_user.last_name := user_version_of.data ->> 'last_name';
  v_user.username := user_version_of.data ->> 'username';
  v_user.image_url := user_version_of.data ->> 'image_url';
  v_user.public_metadata := v_public_metadata;
  v_user.onboarding_complete := coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false);
  v_user.role := case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end;
  v_user.banned := coalesce(app_private.jsonb_boolean(user_version_of.data -> 'banned'), false);
  v_user.locked := coalesce(app_private.jsonb_boolean(user_version_of.data -> 'locked'), false);
  v_user.last_sign_in_at := app_private.clerk_time(user_version_of.data -> 'last_sign_in_at');
  v_user.last_active_at := app_private.clerk_time(user_version_of.data -> 'last_active_at');
  v_user.clerk_created_at := app_private.clerk_time(user_version_of.data -> 'created_at');
  return v_user;
end;
$$;
comment on function app_private.user_version_of(jsonb) is
  E'The app_public.users columns a Clerk user''s JSON holds (primary email, names, username, image, '
  'public metadata and what it implies, flags, sign-in times, creation time); id and bookkeeping '
  'columns are left to the caller.';
--! EndIncluded functions/user_version_of.sql
--! Included functions/sync_organization.sql
create or replace function app_private.sync_organization(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_organization app_public.organizations;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'organization.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- The organization first, then its children: the order deletions lock rows in.
    v_changes := app_private.apply_organization_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'organization_id', v_data ->> 'id', v_deleted_at);
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_invitations', 'organization_id', v_data ->> 'id', v_deleted_at);
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_domains', 'organization_id', v_data ->> 'id', v_deleted_at);
  elsif event.event_type in ('organization.created', 'organization.updated') then
    v_organization := app_private.organization_version_of(v_data);
    v_changes := app_private.apply_organization_change(
      event, v_data ->> 'id', v_organization,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships, invitations and domains. Returns processed, stale or ignored (other organization.* types).';
--! EndIncluded functions/sync_organization.sql
--! Included functions/sync_user.sql
create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_user app_public.users;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- Before the row is scrubbed: the erasure reads the addresses the row still holds.
    perform app_private.erase_user_personal_data(v_data ->> 'id');
    -- The user first, then its memberships: the order deletions lock rows in.
    v_changes := app_private.apply_user_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at);
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_user := app_private.user_version_of(v_data);
    v_changes := app_private.apply_user_change(
      event, v_data ->> 'id', v_user,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS, every ledger payload about or embedding the user: app_private.erase_user_personal_data) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
--! EndIncluded functions/sync_user.sql
--! Included functions/apply_embedded_version.sql
-- Clerk embeds whole objects in other objects' events: a membership carries its organization, a
-- session (in newer payloads) its user. Each such copy is a version of its own object, with its
-- own updated_at, so it goes through the object's own rules: the staleness guard (a newer row is
-- never overwritten), deletions are final, the audit row. A placeholder left by an earlier child
-- fills at once. The copy counts as one microsecond older than its updated_at: Clerk's own event of
-- the same version (millisecond times) still applies over it, with what a copy leaves out (private
-- metadata), so the outcome does not depend on which of the two arrives first.
create or replace function app_private.apply_embedded_version(event app_private.clerk_event, p_kind text, p_data jsonb) returns integer
language plpgsql volatile as $$
declare
  v_version timestamptz := app_private.clerk_time(p_data -> 'updated_at');
  v_held timestamptz;
begin
  -- Only a whole object is a version: an id and its own updated_at. Partial snapshots (an
  -- invitation's public_organization_data, a membership's public_user_data) are not.
  if jsonb_typeof(p_data) is distinct from 'object' or nullif(p_data ->> 'id', '') is null or v_version is null then
    return 0;
  end if;
  v_version := v_version - interval '1 microsecond';
  -- Most copies repeat a version already held: tell so without locking the row, so deliveries of
  -- one organization's memberships do not queue on the organization.
  if p_kind = 'organizations' then
    select o.clerk_updated_at into v_held from app_public.organizations as o where o.id = p_data ->> 'id';
  elsif p_kind = 'users' then
    select u.clerk_updated_at into v_held from app_public.users as u where u.id = p_data ->> 'id';
  end if;
  if v_held >= v_version then
    return 0;
  end if;
  if p_kind = 'organizations' then
    return app_private.apply_organization_change(event, p_data ->> 'id', app_private.organization_version_of(p_data), p_version => v_version)::integer;
  elsif p_kind = 'users' then
    return app_private.apply_user_change(event, p_data ->> 'id', app_private.user_version_of(p_data), p_version => v_version)::integer;
  end if;
  raise exception 'no embedded versions of %', p_kind using errcode = '22023';
end;
$$;
comment on function app_private.apply_embedded_version(app_private.clerk_event, text, jsonb) is
  E'Applies a whole object embedded in another event (p_kind organizations or users) as a version of '
  'its own, one microsecond older than its updated_at, through the same rules as its own events; '
  'returns 1 when it changed the row, 0 when stale or not a whole object (no id or updated_at).';
--! EndIncluded functions/apply_embedded_version.sql
--! Included functions/fill_placeholder.sql
-- A membership carries its user's public_user_data, an invitation its organization's
-- public_organization_data: snapshots without a version of their own. They never compete with a
-- version: they only stand in on a placeholder row (no version from Clerk yet), whose public fields
-- they replace, and the object's own event replaces them in turn. The caller passes the snapshot
-- only when the carrying event is the newest version of its own object, so the placeholder shows
-- the newest snapshot whatever the arrival order. A deleted user is never filled: nothing personal
-- returns after a deletion. A deleted organization's tombstone is (its name is no one's personal
-- data), so the result does not depend on whether the deletion came first.
create or replace function app_private.fill_placeholder(p_kind text, p_id text, p_snapshot jsonb) returns integer
language plpgsql volatile as $$
begin
  if jsonb_typeof(p_snapshot) is distinct from 'object' then
    return 0;
  end if;
  if p_kind = 'users' then
    update app_public.users as u
       set first_name = s.first_name, last_name = s.last_name, image_url = s.image_url, email = s.email, synced_at = now()
      from (select nullif(p_snapshot ->> 'first_name', '') as first_name,
                   nullif(p_snapshot ->> 'last_name', '') as last_name,
                   nullif(p_snapshot ->> 'image_url', '') as image_url,
                   -- The identifier is whatever the user signs in with; only an email address is an email.
                   case when p_snapshot ->> 'identifier' like '%_@_%' then p_snapshot ->> 'identifier' end as email) as s
     where u.id = p_id and u.clerk_updated_at is null and u.deleted_at is null
       and (u.first_name, u.last_name, u.image_url, u.email) is distinct from (s.first_name, s.last_name, s.image_url, s.email);
  elsif p_kind = 'organizations' then
    update app_public.organizations as o
       set name = s.name, slug = s.slug, image_url = s.image_url, synced_at = now()
      from (select nullif(p_snapshot ->> 'name', '') as name,
                   nullif(p_snapshot ->> 'slug', '') as slug,
                   nullif(p_snapshot ->> 'image_url', '') as image_url) as s
     where o.id = p_id and o.clerk_updated_at is null
       and (o.name, o.slug, o.image_url) is distinct from (s.name, s.slug, s.image_url);
  else
    raise exception 'no placeholders of %', p_kind using errcode = '22023';
  end if;
  return case when found then 1 else 0 end;
end;
$$;
comment on function app_private.fill_placeholder(text, text, jsonb) is
  E'Sets the public fields of a placeholder user (names, image, email when the identifier is one) or '
  'organization (name, slug, image) from an unversioned snapshot another event carries; never a row '
  'Clerk has sent a version of, never a deleted user. Returns 1 when it changed the row.';
--! EndIncluded functions/fill_placeholder.sql
--! Included functions/clerk_event_is_newest.sql
-- Whether an event carries the newest version of its object seen so far (no row yet, a
-- placeholder, or a row of the same or an older version): what decides if the snapshots it embeds
-- may stand in on placeholders. Read before the event's own row is locked, so it takes no lock.
create or replace function app_private.clerk_event_is_newest(p_kind text, p_id text, p_version timestamptz) returns boolean
language plpgsql stable as $$
declare
  v_held timestamptz;
begin
  if p_kind = 'organization_memberships' then
    select m.clerk_updated_at into v_held from app_public.organization_memberships as m where m.id = p_id;
  elsif p_kind = 'organization_invitations' then
    select i.clerk_updated_at into v_held from app_public.organization_invitations as i where i.id = p_id;
  else
    raise exception 'no versions of % here', p_kind using errcode = '22023';
  end if;
  return v_held is null or p_version is null or p_version >= v_held;
end;
$$;
comment on function app_private.clerk_event_is_newest(text, text, timestamptz) is
  E'True when p_version is at least the version held for the membership or invitation p_id (or none is held).';
--! EndIncluded functions/clerk_event_is_newest.sql
--! Included functions/check_clerk_id.sql
-- One id of a Clerk payload, for check_clerk_shape: a non-empty string with the expected prefix.
create or replace function app_private.check_clerk_id(p_value jsonb, p_path text, p_prefix text, p_required boolean) returns void
language plpgsql immutable as $$
begin
  if p_value is null or jsonb_typeof(p_value) = 'null' or p_value = '""'::jsonb then
    if p_required then
      raise exception '%: missing (expected an id starting with %)', p_path, p_prefix using errcode = '22023';
    end if;
  elsif jsonb_typeof(p_value) <> 'string' or left(p_value #>> '{}', length(p_prefix)) <> p_prefix or length(p_value #>> '{}') = length(p_prefix) then
    raise exception '%: expected an id starting with %, got %', p_path, p_prefix, left(p_value::text, 80) using errcode = '22023';
  end if;
end;
$$;
comment on function app_private.check_clerk_id(jsonb, text, text, boolean) is
  E'Raises 22023 naming p_path when p_value is not a string starting with p_prefix (and longer than it), '
  'or is missing while p_required.';
--! EndIncluded functions/check_clerk_id.sql
--! Included functions/check_clerk_shape.sql
-- The least each family relies on, checked before anything is written: an object id of the
-- family's kind, and the parent ids it needs. A payload that fails is recorded failed with the
-- path of what is wrong, rather than applied half-way (or stored under an id such as "42"). A
-- missing object id is left to the family, which names the event in its message.
create or replace function app_private.check_clerk_shape(p_event_type text, p_data jsonb) returns void
language plpgsql immutable as $$
declare
  v_family text := split_part(p_event_type, '.', 1);
  v_deletion boolean := split_part(p_event_type, '.', 2) = 'deleted';
  v_prefix text := case v_family
    when 'user' then 'user_' when 'organization' then 'org_' when 'organizationMembership' then 'orgmem_'
    when 'organizationInvitation' then 'orginv_' when 'organizationDomain' then 'orgdmn_' when 'role' then 'role_'
    when 'permission' then 'perm_' when 'session' then 'sess_' when 'email' then 'ema_' when 'sms' then 'sms_'
    when 'subscription' then 'csub_' when 'subscriptionItem' then 'csub' end;
begin
  if v_prefix is null or jsonb_typeof(p_data) is distinct from 'object' then
    return;
  end if;
  if p_data -> 'id' is not null and jsonb_typeof(p_data -> 'id') <> 'null' then
    perform app_private.check_clerk_id(p_data -> 'id', 'data.id', v_prefix, false);
  end if;
  -- Tombstones carry only the id; the parents are what the live versions name.
  if v_deletion and v_family <> 'organizationMembership' then
    return;
  end if;
  case v_family
    when 'organizationMembership' then
      perform app_private.check_clerk_id(p_data #> '{organization,id}', 'data.organization.id', 'org_', true);
      perform app_private.check_clerk_id(p_data #> '{public_user_data,user_id}', 'data.public_user_data.user_id', 'user_', true);
    when 'organizationInvitation', 'organizationDomain' then
      perform app_private.check_clerk_id(p_data -> 'organization_id', 'data.organization_id', 'org_', true);
    when 'session' then
      perform app_private.check_clerk_id(p_data -> 'user_id', 'data.user_id', 'user_', false);
    else
      null;
  end case;
end;
$$;
comment on function app_private.check_clerk_shape(text, jsonb) is
  E'Raises 22023, naming the path, when an event''s data.id is not a string id of its family''s kind '
  '(user_, org_, orgmem_, orginv_, orgdmn_, role_, perm_, sess_, ema_, sms_, csub) or a parent id the '
  'family needs is missing or of the wrong kind (a membership''s organization and user, an invitation''s '
  'or domain''s organization, a session''s user when present).';
--! EndIncluded functions/check_clerk_shape.sql
--! Included functions/process_clerk_event.sql
-- The sync of one event inside its own subtransaction: a permanent error undoes the sync's writes
-- and becomes the outcome failed, so the ledger row can still be written and kept.
create or replace function app_private.process_clerk_event(
  event app_private.clerk_event,
  p_payload jsonb,
  out outcome text,
  out error_code text,
  out error_message text
) language plpgsql volatile as $$
begin
  if jsonb_typeof(p_payload) is distinct from 'object' then
    raise exception 'payload is not a JSON object' using errcode = '22023';
  elsif event.event_type is null then
    raise exception 'payload has no type' using errcode = '22023';
  end if;
  -- Instance pinning: the receiver's connections carry CLERK_INSTANCE_ID as clerk.instance_ids. A
  -- delivery from another Clerk instance (a dev endpoint pointed at production) changes nothing;
  -- one without instance_id is accepted, as some real deliveries lack it.
  if p_payload ? 'instance_id'
     and nullif(current_setting('clerk.instance_ids', true), '') is not null
     and not (p_payload ->> 'instance_id' = any (string_to_array(current_setting('clerk.instance_ids', true), ','))) then
    outcome := 'ignored';
    error_message := 'foreign_instance';
    return;
  end if;
  perform app_private.check_clerk_shape(event.event_type, event.data);
  outcome := app_private.sync_clerk_event(event);
exception
  -- Transient: the whole delivery rolls back and the caller answers 503, so Svix retries.
  when transaction_rollback or insufficient_resources or operator_intervention or connection_exception or lock_not_available then
    raise;
  -- Permanent: the sync's writes are undone, the ledger row keeps the error for a replay.
  when others then
    get stacked diagnostics error_code = returned_sqlstate, error_message = message_text;
    outcome := 'failed';
end;
$$;
comment on function app_private.process_clerk_event(app_private.clerk_event, jsonb) is E'Runs the sync of one event (p_payload: the stored payload it was built from) and returns its outcome: processed, stale, ignored (error_message foreign_instance when the delivery''s instance_id is not one of clerk.instance_ids), or failed with the SQLSTATE and message of a permanent error, whose writes are undone. Transient errors (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried.';
--! EndIncluded functions/process_clerk_event.sql
--! Included functions/sync_organization_membership.sql
create or replace function app_private.sync_organization_membership(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_membership app_public.organization_memberships;
  v_inherited_deleted_at timestamptz;
  v_changes integer;
  v_embedded integer;
begin
  if event.event_type in ('organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted') then
    v_membership.organization_id := v_data #>> '{organization,id}';
    v_membership.user_id := v_data #>> '{public_user_data,user_id}';
    -- Parents first, in the same order as their deletions lock them: the organization as the
    -- membership embeds it (a version of its own), else a placeholder; the user as a placeholder,
    -- filled from public_user_data while Clerk has sent no version of it.
    v_embedded := app_private.apply_embedded_version(event, 'organizations', v_data -> 'organization');
    v_inherited_deleted_at := least(
      app_private.ensure_clerk_parent('organizations', v_membership.organization_id),
      app_private.ensure_clerk_parent('users', v_membership.user_id));
    if app_private.clerk_event_is_newest('organization_memberships', v_data ->> 'id', app_private.clerk_event_version(event)) then
      v_embedded := v_embedded + app_private.fill_placeholder('users', v_membership.user_id, v_data -> 'public_user_data');
    end if;
    v_membership.role := v_data ->> 'role';
    v_membership.role_name := v_data ->> 'role_name';
    v_membership.permissions := app_private.jsonb_text_array(v_data -> 'permissions');
    v_membership.public_metadata := app_private.jsonb_object_or_empty(v_data -> 'public_metadata');
    v_membership.clerk_created_at := app_private.clerk_time(v_data -> 'created_at');
    -- Every membership event carries the full membership, the deletion too.
    v_changes := app_private.apply_organization_membership_change(
      event, v_data ->> 'id', v_membership,
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => app_private.clerk_deleted_at(
        v_inherited_deleted_at,
        case when event.event_type = 'organizationMembership.deleted' then app_private.clerk_deletion_time(event) end),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer + v_embedded;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_membership(app_private.clerk_event) is E'organizationMembership.created/updated/deleted into app_public.organization_memberships. Applies the embedded organization as a version of its own (a placeholder fills at once), creates a placeholder user filled from public_user_data when the membership arrives first; a membership of an already deleted organization or user is stored deleted. Returns processed, stale or ignored (other organizationMembership.* types).';
--! EndIncluded functions/sync_organization_membership.sql
--! Included functions/sync_session.sql
create or replace function app_private.sync_session(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  -- session.pending has no published schema; what it carries is read like any session.
  if event.event_type in ('session.created', 'session.ended', 'session.removed', 'session.revoked', 'session.pending') then
    -- Ending, removing and revoking are statuses: a session is never deleted, and it needs no
    -- placeholder user (sessions are not part of a user's deletion).
    v_changes := app_private.apply_clerk_change(
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
      p_version => app_private.clerk_event_version(event))::integer
      -- Newer payloads embed the whole user: a version of its own (stale when a newer one is held).
      + app_private.apply_embedded_version(event, 'users', v_data -> 'user');
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_session(app_private.clerk_event) is E'session.created/ended/removed/revoked/pending into app_public.sessions (status, times, last active organization); the embedded user, when present, is applied as a version of its own. Returns processed, stale or ignored (other session.* types).';
--! EndIncluded functions/sync_session.sql
--! Included functions/sync_organization_invitation.sql
create or replace function app_private.sync_organization_invitation(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
  v_filled integer := 0;
begin
  if event.event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked') then
    if app_private.clerk_event_is_newest('organization_invitations', v_data ->> 'id', app_private.clerk_event_version(event)) then
      -- The parent placeholder first (ensure_clerk_parent below finds it), in lock order.
      perform app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', ''));
      v_filled := app_private.fill_placeholder('organizations', v_data ->> 'organization_id', v_data -> 'public_organization_data');
    end if;
    -- Every invitation event carries the full invitation; accepting and revoking are statuses.
    v_changes := app_private.apply_clerk_change(
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
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer
      -- An unversioned snapshot of the organization: it stands in on a placeholder only.
      + v_filled;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_invitation(app_private.clerk_event) is E'organizationInvitation.created/accepted/revoked into app_public.organization_invitations (a placeholder organization when the invitation arrives first; stored deleted when its organization is). Returns processed, stale or ignored (other organizationInvitation.* types).';
--! EndIncluded functions/sync_organization_invitation.sql
