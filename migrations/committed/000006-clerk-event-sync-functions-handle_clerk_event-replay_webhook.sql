--! Previous: sha1:3123e567cc2dc61f185d8a6d27ff475e4731bbaf
--! Hash: sha1:7f38e72fe1a5308d3dcecd349fce3e1dd2abd5ea
--! Message: Clerk event sync functions: handle_clerk_event, replay_webhook_event, family sync and shared helpers

-- The sync functions behind POST /api/webhooks/clerk (issue 4).
drop type if exists app_private.clerk_event cascade;
create type app_private.clerk_event as (
  svix_id text,
  event_type text,
  data jsonb,
  occurred_at timestamptz,
  client_ip text,
  user_agent text
);
comment on type app_private.clerk_event is E'One Clerk event as the sync functions see it, built from its ledger row.';
comment on column app_private.clerk_event.svix_id is E'Ledger key of the delivery (svix-id or payload hash).';
comment on column app_private.clerk_event.event_type is E'Clerk event type, e.g. user.updated.';
comment on column app_private.clerk_event.data is E'The event''s data object.';
comment on column app_private.clerk_event.occurred_at is E'Envelope timestamp, or the time the delivery was first received when the envelope has none.';
comment on column app_private.clerk_event.client_ip is E'event_attributes.http_request.client_ip, when sent.';
comment on column app_private.clerk_event.user_agent is E'event_attributes.http_request.user_agent, when sent.';

--! Included functions/clerk_time.sql
-- Clerk sends epoch milliseconds, but some senders (and Clerk's own OpenAPI examples) send
-- seconds: no real millisecond value is below 1e11 (that is 1973), so smaller ones are seconds.
-- plpgsql rather than sql: a SQL body this size is not inlined, and runs several times per event.
create or replace function app_private.clerk_time(value jsonb) returns timestamptz
language plpgsql immutable parallel safe as $$
declare
  v_number numeric := case
    when jsonb_typeof(value) = 'number' then value::numeric
    when jsonb_typeof(value) = 'string' and value #>> '{}' ~ '^-?\d+(\.\d+)?$' then (value #>> '{}')::numeric
  end;
begin
  if v_number is null or v_number < -1e11 or v_number >= 1e15 then
    return null;
  end if;
  return to_timestamp((case when abs(v_number) < 1e11 then v_number else v_number / 1000 end)::float8);
end;
$$;
comment on function app_private.clerk_time(jsonb) is E'A Clerk time (epoch milliseconds, or seconds when below 1e11) as timestamptz; null for null, missing, non-numeric or absurd values, so a bad field never fails an event.';
--! EndIncluded functions/clerk_time.sql
--! Included functions/jsonb_object_or_empty.sql
create or replace function app_private.jsonb_object_or_empty(value jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'object' then value else '{}'::jsonb end
$$;
comment on function app_private.jsonb_object_or_empty(jsonb) is E'The value when it is a JSON object, else {}: metadata fields may be null or missing in real payloads.';
--! EndIncluded functions/jsonb_object_or_empty.sql
--! Included functions/jsonb_boolean.sql
create or replace function app_private.jsonb_boolean(value jsonb) returns boolean
language sql immutable parallel safe as $$
  select case
    when jsonb_typeof(value) = 'boolean' then value::boolean
    when jsonb_typeof(value) = 'string' and lower(value #>> '{}') in ('true', 'false') then lower(value #>> '{}')::boolean
  end
$$;
comment on function app_private.jsonb_boolean(jsonb) is E'A JSON boolean, or the strings "true"/"false" (JWT templates render booleans as strings); null for anything else.';
--! EndIncluded functions/jsonb_boolean.sql
--! Included functions/jsonb_integer.sql
create or replace function app_private.jsonb_integer(value jsonb) returns integer
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'number'
    then least(greatest(trunc(value::numeric), -2147483648), 2147483647)::integer
  end
$$;
comment on function app_private.jsonb_integer(jsonb) is E'A JSON number as integer (truncated, clamped to the integer range); null for anything else.';
--! EndIncluded functions/jsonb_integer.sql
--! Included functions/jsonb_text_array.sql
create or replace function app_private.jsonb_text_array(value jsonb) returns text[]
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'array'
    then array(select jsonb_array_elements_text(value))
    else '{}'::text[]
  end
$$;
comment on function app_private.jsonb_text_array(jsonb) is E'A JSON array as text[] (elements as text); {} when the value is not an array.';
--! EndIncluded functions/jsonb_text_array.sql
--! Included functions/clerk_event_version.sql
create or replace function app_private.clerk_event_version(event app_private.clerk_event) returns timestamptz
language sql immutable parallel safe as $$
  select coalesce(app_private.clerk_time(event.data -> 'updated_at'), event.occurred_at)
$$;
comment on function app_private.clerk_event_version(app_private.clerk_event) is E'The version of the full object an event carries: its updated_at, or the event time when the object has none. Versions not newer than the stored one are stale.';
--! EndIncluded functions/clerk_event_version.sql
--! Included functions/clerk_deletion_time.sql
-- Tombstones carry no updated_at, and organizationMembership.deleted repeats the last one
-- (sometimes an older one): a deletion takes effect at the later of updated_at and event time.
create or replace function app_private.clerk_deletion_time(event app_private.clerk_event) returns timestamptz
language sql immutable parallel safe as $$
  select greatest(app_private.clerk_time(event.data -> 'updated_at'), event.occurred_at)
$$;
comment on function app_private.clerk_deletion_time(app_private.clerk_event) is E'When a deletion event takes effect: the later of the object''s updated_at (if any) and the event time (envelope timestamp, else receive time).';
--! EndIncluded functions/clerk_deletion_time.sql
--! Included functions/clerk_event_organization_id.sql
create or replace function app_private.clerk_event_organization_id(payload jsonb) returns text
language sql immutable parallel safe as $$
  select coalesce(
    nullif(payload #>> '{data,organization,id}', ''),
    nullif(payload #>> '{data,organization_id}', ''),
    case when payload ->> 'type' like 'organization.%' then nullif(payload #>> '{data,id}', '') end
  )
$$;
comment on function app_private.clerk_event_organization_id(jsonb) is E'The organization a Clerk event concerns: the embedded organization (memberships), data.organization_id (invitations, domains, billing; "" counts as none), or the organization itself; null otherwise.';
--! EndIncluded functions/clerk_event_organization_id.sql
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
    'original_status', case when status = 'duplicate' then ledger.outcome end))
$$;
comment on function app_private.webhook_event_result(app_private.webhook_events, text) is E'The result object of handle_clerk_event and replay_webhook_event for a ledger row: status, svix_id, event_type, object_id, organization_id (when known), error {code, message} when failed, original_status (the recorded outcome) when duplicate.';
--! EndIncluded functions/webhook_event_result.sql
--! Included functions/write_audit_log.sql
-- Shared by every family through apply_clerk_change: one audit row per change, holding only
-- the fields that changed. Bookkeeping columns are not changes a tenant cares about.
create or replace function app_private.write_audit_log(
  event app_private.clerk_event,
  p_kind text,
  p_id text,
  p_before jsonb,
  p_after jsonb,
  p_redacted text[] default '{}'
) returns void
language plpgsql volatile as $$
declare
  v_changes jsonb;
  v_action text;
begin
  select coalesce(jsonb_object_agg(d.key, jsonb_build_object(
           'before', case when d.key = any(p_redacted) and d.before <> 'null' then '"[redacted]"'::jsonb else d.before end,
           'after', case when d.key = any(p_redacted) and d.after <> 'null' then '"[redacted]"'::jsonb else d.after end)), '{}')
    into v_changes
    from (
      select k.key, coalesce(p_before -> k.key, 'null') as before, coalesce(p_after -> k.key, 'null') as after
        from jsonb_object_keys(coalesce(p_before, '{}') || p_after) as k(key)
       where k.key not in ('id', 'clerk_updated_at', 'synced_at')
    ) as d
   where d.before is distinct from d.after;
  if v_changes = '{}' then
    return;
  end if;

  v_action := case
    when p_after ->> 'deleted_at' is not null and p_before ->> 'deleted_at' is null then 'deleted'
    when p_before is null or (p_before ->> 'clerk_updated_at' is null and p_before ->> 'deleted_at' is null) then 'created'
    else 'updated'
  end;

  insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, client_ip, user_agent, occurred_at)
  values (
    case when p_kind = 'organizations' then p_id else coalesce(p_after ->> 'organization_id', p_before ->> 'organization_id') end,
    p_kind, p_id, v_action, v_changes, event.svix_id, event.event_type, event.client_ip, event.user_agent, event.occurred_at
  );
end;
$$;
comment on function app_private.write_audit_log(app_private.clerk_event, text, text, jsonb, jsonb, text[]) is E'Writes the audit row of one change of a synced row (before/after as jsonb; before null for a new row): only changed fields, values of p_redacted fields shown as "[redacted]"; nothing when no field changed. Action: deleted when deleted_at becomes set, created when the row had no Clerk data before (new or placeholder), else updated.';
--! EndIncluded functions/write_audit_log.sql
--! Included functions/redact_audit_history.sql
create or replace function app_private.redact_audit_history(p_kind text, p_id text, p_fields text[]) returns void
language sql volatile as $$
  update app_public.audit_logs as a
     set changes = (
       select jsonb_object_agg(c.key, case
                when c.key = any(p_fields) then jsonb_build_object(
                  'before', case when c.value -> 'before' = 'null' then 'null'::jsonb else '"[redacted]"'::jsonb end,
                  'after', case when c.value -> 'after' = 'null' then 'null'::jsonb else '"[redacted]"'::jsonb end)
                else c.value end)
         from jsonb_each(a.changes) as c
     )
   where a.entity_kind = p_kind and a.entity_id = p_id and a.changes ?| p_fields
$$;
comment on function app_private.redact_audit_history(text, text, text[]) is E'Replaces the before/after values of p_fields in every earlier audit row of one synced row with "[redacted]": a user deletion scrubs personal data from the history too, not only from the row.';
--! EndIncluded functions/redact_audit_history.sql
--! Included functions/apply_clerk_change.sql
-- The one move every family makes. A row's state is a function of the set of events seen, not
-- of their order:
--   data        = the fields of the newest version (highest updated_at; ties: the first wins)
--   deleted_at  = the earliest deletion seen (its own, or inherited from a parent); deletions
--                 are final, as in Clerk, whose ids are never reused or restored
-- so each event only compares itself with the row: an older version and a deletion no earlier
-- than the one held change nothing (stale). A late created/updated still completes the fields of
-- a deleted row (never its personal data) but cannot bring it back.
create or replace function app_private.apply_clerk_change(
  event app_private.clerk_event,
  p_kind text,
  p_id text,
  p_fields jsonb default null,
  p_version timestamptz default null,
  p_deleted_at timestamptz default null,
  p_private_metadata jsonb default null,
  p_scrub jsonb default '{}'
) returns boolean
language plpgsql volatile as $$
declare
  v_table text := format('app_public.%I', p_kind);
  v_before jsonb;
  v_after jsonb;
  v_row jsonb;
  v_columns text;
  v_apply_data boolean;
  v_deleted_at timestamptz;
  v_private_before jsonb;
  v_private_after jsonb;
  v_redacted text[] := array['private_metadata'];
begin
  if p_id is null or p_id = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;

  loop
    execute format('select to_jsonb(t) from %s as t where t.id = $1 for update', v_table) into v_before using p_id;

    v_apply_data := p_fields is not null and p_version > coalesce((v_before ->> 'clerk_updated_at')::timestamptz, '-infinity');
    v_deleted_at := least((v_before ->> 'deleted_at')::timestamptz, p_deleted_at);

    if v_before is not null and not v_apply_data and v_deleted_at is not distinct from (v_before ->> 'deleted_at')::timestamptz then
      return false;
    end if;

    v_row := case when v_apply_data then p_fields || jsonb_build_object('clerk_updated_at', p_version) else '{}' end
          || jsonb_build_object('id', p_id, 'deleted_at', v_deleted_at, 'synced_at', now());
    if v_deleted_at is not null then
      v_row := v_row || p_scrub;
    end if;
    select string_agg(format('%I', k), ', ') into v_columns from jsonb_object_keys(v_row) as k;

    if v_before is null then
      execute format('insert into %1$s as t (%2$s) select %2$s from jsonb_populate_record(null::%1$s, $1) on conflict (id) do nothing returning to_jsonb(t)', v_table, v_columns)
        into v_after using v_row;
      -- Null: a concurrent event inserted the row first; decide again against its row.
      exit when v_after is not null;
    else
      execute format('update %1$s as t set (%2$s) = (select %2$s from jsonb_populate_record(null::%1$s, $1)) where t.id = $2 returning to_jsonb(t)', v_table, v_columns)
        into v_after using v_row, p_id;
      exit;
    end if;
  end loop;

  select m.private_metadata into v_private_before
    from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
  v_private_after := case
    when v_deleted_at is not null then null
    when v_apply_data and p_private_metadata is not null then nullif(p_private_metadata, '{}')
    else v_private_before
  end;
  if v_private_after is null then
    delete from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
  elsif v_private_after is distinct from v_private_before then
    insert into app_private.private_metadata (entity_kind, entity_id, private_metadata) values (p_kind, p_id, v_private_after)
    on conflict (entity_kind, entity_id) do update set private_metadata = excluded.private_metadata;
  end if;

  if v_deleted_at is not null and p_scrub <> '{}' then
    v_redacted := v_redacted || array(select jsonb_object_keys(p_scrub));
    if v_before ->> 'deleted_at' is null then
      perform app_private.redact_audit_history(p_kind, p_id, v_redacted);
    end if;
  end if;
  perform app_private.write_audit_log(
    event, p_kind, p_id,
    v_before || jsonb_build_object('private_metadata', v_private_before),
    v_after || jsonb_build_object('private_metadata', v_private_after),
    v_redacted
  );
  return true;
end;
$$;
comment on function app_private.apply_clerk_change(app_private.clerk_event, text, text, jsonb, timestamptz, timestamptz, jsonb, jsonb) is E'Applies one event to one row of app_public.<p_kind> (any synced table with id, clerk_updated_at, deleted_at, synced_at), with the staleness guard, soft delete, private metadata and audit row every family needs. p_fields/p_version: the object version the event carries (null for tombstones); p_deleted_at: the deletion it carries or inherits (the earliest one wins, deletions are final); p_private_metadata: stored in app_private.private_metadata (an empty object stores nothing); p_scrub: column values that replace personal data while the row is deleted. Locks the row; returns false when the event is stale (changed nothing).';
--! EndIncluded functions/apply_clerk_change.sql
--! Included functions/ensure_clerk_parent.sql
-- A child may arrive before its parent: a placeholder (id only, clerk_updated_at null) takes
-- the parent's place, and the parent's own event fills it whatever its version. The share
-- lock orders this event after a concurrent deletion of the parent, so the child sees it.
create or replace function app_private.ensure_clerk_parent(p_kind text, p_id text) returns timestamptz
language plpgsql volatile as $$
declare
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception 'missing % id', p_kind using errcode = '22023';
  end if;
  execute format('insert into app_public.%I (id) values ($1) on conflict (id) do nothing', p_kind) using p_id;
  execute format('select t.deleted_at from app_public.%I as t where t.id = $1 for share', p_kind) into v_deleted_at using p_id;
  return v_deleted_at;
end;
$$;
comment on function app_private.ensure_clerk_parent(text, text) is E'Makes sure app_public.<p_kind> has a row for p_id (a placeholder when the parent has not arrived yet), locks it for share, and returns its deleted_at, which the child inherits.';
--! EndIncluded functions/ensure_clerk_parent.sql
--! Included functions/cascade_clerk_delete.sql
create or replace function app_private.cascade_clerk_delete(
  event app_private.clerk_event,
  p_kind text,
  p_parent_column text,
  p_parent_id text,
  p_deleted_at timestamptz
) returns boolean
language plpgsql volatile as $$
declare
  v_id text;
  v_changed boolean := false;
begin
  if p_deleted_at is null then
    return false;
  end if;
  -- Children deleted later than the parent too: a row keeps its earliest deletion, whatever the
  -- arrival order.
  for v_id in execute format('select t.id from app_public.%I as t where t.%I = $1 and (t.deleted_at is null or t.deleted_at > $2) order by t.id', p_kind, p_parent_column)
      using p_parent_id, p_deleted_at loop
    if app_private.apply_clerk_change(event, p_kind, v_id, p_deleted_at => p_deleted_at) then
      v_changed := true;
    end if;
  end loop;
  return v_changed;
end;
$$;
comment on function app_private.cascade_clerk_delete(app_private.clerk_event, text, text, text, timestamptz) is E'Soft-deletes the rows of app_public.<p_kind> whose <p_parent_column> is p_parent_id as of p_deleted_at (with their audit rows), through apply_clerk_change. Returns whether any row changed.';
--! EndIncluded functions/cascade_clerk_delete.sql
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
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
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
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships. Returns processed, stale or ignored (other organization.* types).';
--! EndIncluded functions/sync_organization.sql
--! Included functions/sync_membership.sql
create or replace function app_private.sync_membership(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_organization_id text := event.data #>> '{organization,id}';
  v_user_id text := event.data #>> '{public_user_data,user_id}';
  v_inherited_deleted_at timestamptz;
begin
  if event.event_type not in ('organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted') then
    return 'ignored';
  end if;
  -- Parents first (placeholders if need be), in the same order as their deletions lock them.
  v_inherited_deleted_at := least(
    app_private.ensure_clerk_parent('organizations', v_organization_id),
    app_private.ensure_clerk_parent('users', v_user_id));
  -- Every membership event carries the full membership, the deletion too.
  return case when app_private.apply_clerk_change(
      event, 'organization_memberships', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'organization_id', v_organization_id,
        'user_id', v_user_id,
        'role', v_data ->> 'role',
        'role_name', v_data ->> 'role_name',
        'permissions', to_jsonb(app_private.jsonb_text_array(v_data -> 'permissions')),
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_deleted_at => least(
        v_inherited_deleted_at,
        case when event.event_type = 'organizationMembership.deleted' then app_private.clerk_deletion_time(event) end),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))
    then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_membership(app_private.clerk_event) is E'organizationMembership.created/updated/deleted into app_public.organization_memberships. Creates placeholder organization/user rows when the membership arrives first; a membership of an already deleted organization or user is stored deleted. Returns processed, stale or ignored (other organizationMembership.* types).';
--! EndIncluded functions/sync_membership.sql
--! Included functions/sync_clerk_event.sql
create or replace function app_private.sync_clerk_event(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  return case split_part(event.event_type, '.', 1)
    when 'user' then app_private.sync_user(event)
    when 'organization' then app_private.sync_organization(event)
    when 'organizationMembership' then app_private.sync_membership(event)
    else 'ignored'
  end;
end;
$$;
comment on function app_private.sync_clerk_event(app_private.clerk_event) is E'Dispatches an event to the sync function of its family (the part of the type before the dot); types of no modelled family are ignored. Returns processed, stale or ignored.';
--! EndIncluded functions/sync_clerk_event.sql
--! Included functions/process_webhook_event.sql
-- Runs the sync for one ledger row and records the outcome on it. Shared by the first delivery
-- (handle_clerk_event) and by replays (replay_webhook_event).
create or replace function app_private.process_webhook_event(p_svix_id text) returns jsonb
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
  v_event app_private.clerk_event;
  v_status text;
  v_error_code text;
  v_error_message text;
begin
  select * into strict v_ledger from app_private.webhook_events as w where w.svix_id = p_svix_id for update;
  v_event := row(
    v_ledger.svix_id,
    v_ledger.event_type,
    v_ledger.payload -> 'data',
    coalesce(v_ledger.occurred_at, v_ledger.received_at),
    nullif(v_ledger.payload #>> '{event_attributes,http_request,client_ip}', ''),
    nullif(v_ledger.payload #>> '{event_attributes,http_request,user_agent}', '')
  )::app_private.clerk_event;

  begin
    if jsonb_typeof(v_ledger.payload) is distinct from 'object' then
      raise exception 'payload is not a JSON object' using errcode = '22023';
    elsif v_ledger.event_type is null then
      raise exception 'payload has no type' using errcode = '22023';
    end if;
    v_status := app_private.sync_clerk_event(v_event);
  exception
    -- Transient: the whole delivery rolls back and the caller answers 503, so Svix retries.
    when transaction_rollback or insufficient_resources or operator_intervention or connection_exception or lock_not_available then
      raise;
    -- Permanent: the sync's writes are undone, the ledger row keeps the error for a replay.
    when others then
      get stacked diagnostics v_error_code = returned_sqlstate, v_error_message = message_text;
      v_status := 'failed';
  end;

  update app_private.webhook_events as w
     set outcome = v_status, error_code = v_error_code, error_message = v_error_message, processed_at = clock_timestamp()
   where w.svix_id = p_svix_id
  returning * into v_ledger;
  return app_private.webhook_event_result(v_ledger, v_status);
end;
$$;
comment on function app_private.process_webhook_event(text) is E'Syncs the event stored in the ledger row p_svix_id and records its outcome (processed, stale, ignored, failed with SQLSTATE and message). Permanent errors are caught; transient ones (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried. Returns the result object of handle_clerk_event.';
--! EndIncluded functions/process_webhook_event.sql
--! Included functions/handle_clerk_event.sql
create or replace function app_private.handle_clerk_event(payload jsonb, svix_id text default null, source text default 'webhook') returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_key text := coalesce(nullif(handle_clerk_event.svix_id, ''), 'sha256:' || encode(sha256(convert_to(handle_clerk_event.payload::text, 'UTF8')), 'hex'));
  v_ledger app_private.webhook_events;
begin
  if handle_clerk_event.payload is null then
    raise exception 'handle_clerk_event needs a payload' using errcode = '22004';
  end if;
  -- The ledger row first: a concurrent delivery of the same svix-id waits here on the unique
  -- index until this transaction ends, then sees the row and answers duplicate.
  insert into app_private.webhook_events as w (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_message, occurred_at)
  values (
    v_key,
    handle_clerk_event.payload ->> 'type',
    handle_clerk_event.payload #>> '{data,id}',
    app_private.clerk_event_organization_id(handle_clerk_event.payload),
    handle_clerk_event.payload,
    coalesce(nullif(handle_clerk_event.source, ''), 'webhook'),
    'failed',
    'processing did not finish',
    app_private.clerk_time(handle_clerk_event.payload -> 'timestamp'))
  on conflict on constraint webhook_events_pkey do nothing;

  if not found then
    update app_private.webhook_events as w
       set duplicates = w.duplicates + 1, last_received_at = now()
     where w.svix_id = v_key
    returning * into v_ledger;
    return app_private.webhook_event_result(v_ledger, 'duplicate');
  end if;
  return app_private.process_webhook_event(v_key);
end;
$$;
revoke all on function app_private.handle_clerk_event(jsonb, text, text) from public;
grant execute on function app_private.handle_clerk_event(jsonb, text, text) to clerk_webhook;
comment on function app_private.handle_clerk_event(jsonb, text, text) is E'The single entry point for Clerk events (webhook route, backfill, a DBA by hand). Records the delivery in app_private.webhook_events keyed by svix_id (sha256:<hex> of the payload when null), applies it once, all in the caller''s transaction. Returns {"status": "processed"|"duplicate"|"stale"|"ignored"|"failed", "svix_id", "event_type", "object_id", "organization_id" (when known), "error": {"code": SQLSTATE, "message"} (failed only), "original_status" (duplicate only: the outcome recorded for the first delivery)}. Permanent processing errors are caught and returned as failed with the ledger row kept; transient errors (SQLSTATE classes 40, 53, 57, 08, 55P03) are raised so the caller can answer 503. source names the caller in the ledger (webhook, backfill, …).';
--! EndIncluded functions/handle_clerk_event.sql
--! Included functions/replay_webhook_event.sql
create or replace function app_private.replay_webhook_event(svix_id text) returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_ledger app_private.webhook_events;
begin
  select * into v_ledger from app_private.webhook_events as w where w.svix_id = replay_webhook_event.svix_id for update;
  if not found then
    raise exception 'no delivery with svix-id % in the ledger', replay_webhook_event.svix_id using errcode = 'P0002';
  end if;
  -- Applied or stale events already had their effect; running them again would change nothing.
  if v_ledger.outcome not in ('failed', 'ignored') then
    return app_private.webhook_event_result(v_ledger, 'duplicate');
  end if;
  update app_private.webhook_events as w set attempts = w.attempts + 1 where w.svix_id = v_ledger.svix_id;
  return app_private.process_webhook_event(v_ledger.svix_id);
end;
$$;
revoke all on function app_private.replay_webhook_event(text) from public;
comment on function app_private.replay_webhook_event(text) is E'Processes a stored delivery again, e.g. after fixing what made it fail. failed and ignored rows run again (with today''s code: a type modelled since then is applied); processed and stale rows are left alone and answer duplicate. Same result object as handle_clerk_event. Only the owner may call it (the ops CLI connects as the owner).';
--! EndIncluded functions/replay_webhook_event.sql
