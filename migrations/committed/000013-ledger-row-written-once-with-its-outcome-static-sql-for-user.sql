--! Previous: sha1:8b4e5b3fafae71e7ac64bf81e87b33958d640aea
--! Hash: sha1:15b8e2c0100551fc24e4cfa6d8df2f28b1fb3d0e
--! Message: Ledger row written once with its outcome; static SQL for users, organizations and memberships; families report rows changed

-- The write path: the ledger row written once with its outcome (exactly-once by an advisory lock on
-- the key), static SQL for users, organizations and memberships, and each family reporting the
-- rows it changed, mapped to an outcome in one place.
drop function if exists app_private.sync_membership(app_private.clerk_event);
drop function if exists app_private.cascade_clerk_delete(app_private.clerk_event, text, text, text, timestamptz);
drop function if exists app_private.apply_clerk_change(app_private.clerk_event, text, text, jsonb, timestamptz, timestamptz, jsonb, jsonb);

--! Included functions/clerk_sync_outcome.sql
-- Every family reports one number, the rows its event changed, and this maps it to the outcome.
create or replace function app_private.clerk_sync_outcome(p_changed_rows integer) returns text
language sql immutable parallel safe as $$
  select case when p_changed_rows is null then 'ignored' when p_changed_rows > 0 then 'processed' else 'stale' end
$$;
comment on function app_private.clerk_sync_outcome(integer) is E'The outcome of a family''s sync from the number of rows it changed: null (an event type the family does not model) is ignored, 0 is stale (nothing newer than what is held), more is processed.';
--! EndIncluded functions/clerk_sync_outcome.sql
--! Included functions/clerk_version_applies.sql
-- The staleness guard of every family: an object version is applied only when it is newer than
-- the one held (a placeholder or a row made by a deletion holds none).
create or replace function app_private.clerk_version_applies(p_version timestamptz, p_held_version timestamptz) returns boolean
language sql immutable parallel safe as $$
  select coalesce(p_version > coalesce(p_held_version, '-infinity'), false)
$$;
comment on function app_private.clerk_version_applies(timestamptz, timestamptz) is E'Whether an event''s object version (null for a tombstone, which carries none) is newer than the version the row holds (null when it holds none); older and equal versions are stale.';
--! EndIncluded functions/clerk_version_applies.sql
--! Included functions/clerk_deleted_at.sql
-- Deletions are final, as in Clerk, whose ids are never reused or restored: a row keeps the
-- earliest deletion seen, whatever the order the events arrive in.
create or replace function app_private.clerk_deleted_at(p_held timestamptz, p_incoming timestamptz) returns timestamptz
language sql immutable parallel safe as $$
  select least(p_held, p_incoming)
$$;
comment on function app_private.clerk_deleted_at(timestamptz, timestamptz) is E'The deleted_at a row gets from the one it holds and the one an event carries or inherits (null for none): the earliest; a deletion is never undone.';
--! EndIncluded functions/clerk_deleted_at.sql
--! Included functions/apply_private_metadata.sql
-- Private metadata never sits in a tenant-readable table: it is kept beside the row, follows the
-- row's newest applied version, and goes when the row is deleted.
create or replace function app_private.apply_private_metadata(
  p_kind text,
  p_id text,
  p_version_applied boolean,
  p_deleted boolean,
  p_private_metadata jsonb,
  out before jsonb,
  out after jsonb
) language plpgsql volatile as $$
begin
  select m.private_metadata into before
    from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
  after := case
    when p_deleted then null
    when p_version_applied and p_private_metadata is not null then nullif(p_private_metadata, '{}')
    else before
  end;
  if after is null then
    if before is not null then
      delete from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
    end if;
  elsif after is distinct from before then
    insert into app_private.private_metadata (entity_kind, entity_id, private_metadata) values (p_kind, p_id, after)
    on conflict (entity_kind, entity_id) do update set private_metadata = excluded.private_metadata;
  end if;
end;
$$;
comment on function app_private.apply_private_metadata(text, text, boolean, boolean, jsonb) is E'Brings app_private.private_metadata of one synced row up to date: the event''s private metadata when its version was applied (an empty object stores nothing), nothing once the row is deleted, else unchanged. Returns the metadata before and after, for the audit row.';
--! EndIncluded functions/apply_private_metadata.sql
--! Included functions/write_audit_log.sql
-- Shared by every family through finish_clerk_change: one audit row per change, holding only
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
begin
  -- One statement: the diff, and the row only when some field changed (an aggregate over no
  -- changed field is null).
  insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, svix_id, event_type, client_ip, user_agent, occurred_at)
  select case when p_kind = 'organizations' then p_id else coalesce(p_after ->> 'organization_id', p_before ->> 'organization_id') end,
         p_kind, p_id,
         case
           when p_after ->> 'deleted_at' is not null and p_before ->> 'deleted_at' is null then 'deleted'
           when p_before is null or (p_before ->> 'clerk_updated_at' is null and p_before ->> 'deleted_at' is null) then 'created'
           else 'updated'
         end,
         c.changes, event.svix_id, event.event_type, event.client_ip, event.user_agent, event.occurred_at
    from (
      select jsonb_object_agg(d.key, jsonb_build_object(
               'before', case when d.key = any(p_redacted) and d.before <> 'null' then '"[redacted]"'::jsonb else d.before end,
               'after', case when d.key = any(p_redacted) and d.after <> 'null' then '"[redacted]"'::jsonb else d.after end)) as changes
        from (
          select k.key, coalesce(p_before -> k.key, 'null') as before, coalesce(p_after -> k.key, 'null') as after
            from jsonb_object_keys(coalesce(p_before, '{}') || p_after) as k(key)
           where k.key not in ('id', 'clerk_updated_at', 'synced_at')
        ) as d
       where d.before is distinct from d.after
    ) as c
   where c.changes is not null;
end;
$$;
comment on function app_private.write_audit_log(app_private.clerk_event, text, text, jsonb, jsonb, text[]) is E'Writes the audit row of one change of a synced row (before/after as jsonb; before null for a new row): only changed fields, values of p_redacted fields shown as "[redacted]"; nothing when no field changed. Action: deleted when deleted_at becomes set, created when the row had no Clerk data before (new or placeholder), else updated.';
--! EndIncluded functions/write_audit_log.sql
--! Included functions/finish_clerk_change.sql
-- What follows every applied change of a synced row, whichever function wrote the row.
create or replace function app_private.finish_clerk_change(
  event app_private.clerk_event,
  p_kind text,
  p_id text,
  p_before jsonb,
  p_after jsonb,
  p_version_applied boolean,
  p_private_metadata jsonb,
  p_scrubbed text[] default '{}'
) returns void
language plpgsql volatile as $$
declare
  v_deleted boolean := p_after ->> 'deleted_at' is not null;
  v_private record;
  v_redacted text[] := array['private_metadata'];
begin
  select m.before, m.after into v_private
    from app_private.apply_private_metadata(p_kind, p_id, p_version_applied, v_deleted, p_private_metadata) as m;
  if v_deleted and cardinality(p_scrubbed) > 0 then
    v_redacted := v_redacted || p_scrubbed;
    if p_before ->> 'deleted_at' is null then
      perform app_private.redact_audit_history(p_kind, p_id, v_redacted);
    end if;
  end if;
  perform app_private.write_audit_log(
    event, p_kind, p_id,
    p_before || jsonb_build_object('private_metadata', v_private.before),
    p_after || jsonb_build_object('private_metadata', v_private.after),
    v_redacted);
end;
$$;
comment on function app_private.finish_clerk_change(app_private.clerk_event, text, text, jsonb, jsonb, boolean, jsonb, text[]) is E'Completes one applied change of a row of app_public.<p_kind> (p_before: the row before as jsonb, null when new; p_after: as written): its private metadata (app_private.apply_private_metadata), the redaction of its audit history when a deletion scrubbed p_scrubbed fields, and its audit row of changed fields only (app_private.write_audit_log, private metadata and scrubbed fields shown as "[redacted]").';
--! EndIncluded functions/finish_clerk_change.sql
--! Included functions/apply_clerk_change.sql
-- The one move every family makes, for any synced table (users, organizations and memberships,
-- the busiest, have static twins: apply_user_change, apply_organization_change and
-- apply_organization_membership_change). A row's state is a function of the set of events seen,
-- not of their order:
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
  p_private_metadata jsonb default null
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
begin
  if p_id is null or p_id = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;

  loop
    execute format('select to_jsonb(t) from %s as t where t.id = $1 for update', v_table) into v_before using p_id;

    v_apply_data := p_fields is not null and app_private.clerk_version_applies(p_version, (v_before ->> 'clerk_updated_at')::timestamptz);
    v_deleted_at := app_private.clerk_deleted_at((v_before ->> 'deleted_at')::timestamptz, p_deleted_at);

    if v_before is not null and not v_apply_data and v_deleted_at is not distinct from (v_before ->> 'deleted_at')::timestamptz then
      return false;
    end if;

    v_row := case when v_apply_data then p_fields || jsonb_build_object('clerk_updated_at', p_version) else '{}' end
          || jsonb_build_object('id', p_id, 'deleted_at', v_deleted_at, 'synced_at', now());
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

  perform app_private.finish_clerk_change(event, p_kind, p_id, v_before, v_after, v_apply_data, p_private_metadata);
  return true;
end;
$$;
comment on function app_private.apply_clerk_change(app_private.clerk_event, text, text, jsonb, timestamptz, timestamptz, jsonb) is E'Applies one event to one row of app_public.<p_kind> (any synced table with id, clerk_updated_at, deleted_at, synced_at), with the staleness guard, soft delete, private metadata and audit row every family needs. p_fields/p_version: the object version the event carries (null for tombstones); p_deleted_at: the deletion it carries or inherits (the earliest one wins, deletions are final); p_private_metadata: stored in app_private.private_metadata (an empty object stores nothing). Locks the row; returns false when the event is stale (changed nothing).';
--! EndIncluded functions/apply_clerk_change.sql
--! Included functions/apply_user_change.sql
-- apply_clerk_change for app_public.users in static SQL, planned once per session: the same rules
-- (app_private.clerk_version_applies, clerk_deleted_at, finish_clerk_change), plus what a user's
-- deletion does to its personal data, which is the users table's own rule.
create or replace function app_private.apply_user_change(
  event app_private.clerk_event,
  p_id text,
  p_fields app_public.users default null,
  p_version timestamptz default null,
  p_deleted_at timestamptz default null,
  p_private_metadata jsonb default null
) returns boolean
language plpgsql volatile as $$
declare
  -- The columns a deletion scrubs (to null, or to their defaults), redacted in the audit history too.
  c_scrubbed constant text[] := array['email', 'first_name', 'last_name', 'username', 'image_url', 'public_metadata', 'onboarding_complete', 'role'];
  v_before app_public.users;
  v_found boolean;
  v_row app_public.users;
  v_apply_data boolean;
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;

  loop
    select * into v_before from app_public.users as t where t.id = p_id for update;
    v_found := found;
    v_apply_data := app_private.clerk_version_applies(p_version, v_before.clerk_updated_at);
    v_deleted_at := app_private.clerk_deleted_at(v_before.deleted_at, p_deleted_at);
    if v_found and not v_apply_data and v_deleted_at is not distinct from v_before.deleted_at then
      return false;
    end if;

    v_row := case when v_apply_data then p_fields else v_before end;
    v_row.id := p_id;
    if v_apply_data then
      v_row.clerk_updated_at := p_version;
    end if;
    v_row.deleted_at := v_deleted_at;
    v_row.synced_at := now();
    if v_deleted_at is not null then
      v_row.email := null;
      v_row.first_name := null;
      v_row.last_name := null;
      v_row.username := null;
      v_row.image_url := null;
      v_row.public_metadata := '{}';
      v_row.onboarding_complete := false;
      v_row.role := null;
    end if;

    if v_found then
      update app_public.users as t
         set email = v_row.email, first_name = v_row.first_name, last_name = v_row.last_name, username = v_row.username,
             image_url = v_row.image_url, public_metadata = v_row.public_metadata, onboarding_complete = v_row.onboarding_complete,
             role = v_row.role, banned = v_row.banned, locked = v_row.locked, last_sign_in_at = v_row.last_sign_in_at,
             last_active_at = v_row.last_active_at, clerk_created_at = v_row.clerk_created_at, clerk_updated_at = v_row.clerk_updated_at,
             deleted_at = v_row.deleted_at, synced_at = v_row.synced_at
       where t.id = p_id
      returning * into v_row;
      exit;
    elsif v_apply_data then
      insert into app_public.users as t
             (id, email, first_name, last_name, username, image_url, public_metadata, onboarding_complete, role, banned, locked,
              last_sign_in_at, last_active_at, clerk_created_at, clerk_updated_at, deleted_at, synced_at)
      values (v_row.id, v_row.email, v_row.first_name, v_row.last_name, v_row.username, v_row.image_url, v_row.public_metadata,
              v_row.onboarding_complete, v_row.role, v_row.banned, v_row.locked, v_row.last_sign_in_at, v_row.last_active_at,
              v_row.clerk_created_at, v_row.clerk_updated_at, v_row.deleted_at, v_row.synced_at)
      on conflict (id) do nothing
      returning * into v_row;
    else
      -- A deletion of a user never seen: the defaults are what a scrubbed user holds.
      insert into app_public.users as t (id, deleted_at, synced_at) values (p_id, v_deleted_at, v_row.synced_at)
      on conflict (id) do nothing
      returning * into v_row;
    end if;
    -- Not found: a concurrent event inserted the row first; decide again against its row.
    exit when found;
  end loop;

  perform app_private.finish_clerk_change(event, 'users', p_id, case when v_found then to_jsonb(v_before) end, to_jsonb(v_row),
                                          v_apply_data, p_private_metadata, c_scrubbed);
  return true;
end;
$$;
comment on function app_private.apply_user_change(app_private.clerk_event, text, app_public.users, timestamptz, timestamptz, jsonb) is E'Applies one event to the app_public.users row p_id, as app_private.apply_clerk_change does for any table: p_fields holds the columns of the version the event carries (its id and bookkeeping columns are ignored; null for a tombstone), p_version that version (null for a tombstone), p_deleted_at the deletion it carries. While the row is deleted its personal data (email, names, username, image, public metadata, onboarding_complete, role) is scrubbed, and the first deletion redacts them in its audit history. Locks the row; returns false when the event is stale (changed nothing).';
--! EndIncluded functions/apply_user_change.sql
--! Included functions/apply_organization_change.sql
-- apply_clerk_change for app_public.organizations in static SQL, planned once per session, with
-- the same shared rules (clerk_version_applies, clerk_deleted_at, finish_clerk_change).
create or replace function app_private.apply_organization_change(
  event app_private.clerk_event,
  p_id text,
  p_fields app_public.organizations default null,
  p_version timestamptz default null,
  p_deleted_at timestamptz default null,
  p_private_metadata jsonb default null
) returns boolean
language plpgsql volatile as $$
declare
  v_before app_public.organizations;
  v_found boolean;
  v_row app_public.organizations;
  v_apply_data boolean;
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;

  loop
    select * into v_before from app_public.organizations as t where t.id = p_id for update;
    v_found := found;
    v_apply_data := app_private.clerk_version_applies(p_version, v_before.clerk_updated_at);
    v_deleted_at := app_private.clerk_deleted_at(v_before.deleted_at, p_deleted_at);
    if v_found and not v_apply_data and v_deleted_at is not distinct from v_before.deleted_at then
      return false;
    end if;

    v_row := case when v_apply_data then p_fields else v_before end;
    v_row.id := p_id;
    if v_apply_data then
      v_row.clerk_updated_at := p_version;
    end if;
    v_row.deleted_at := v_deleted_at;
    v_row.synced_at := now();

    if v_found then
      update app_public.organizations as t
         set name = v_row.name, slug = v_row.slug, image_url = v_row.image_url, created_by = v_row.created_by,
             max_allowed_memberships = v_row.max_allowed_memberships, admin_delete_enabled = v_row.admin_delete_enabled,
             public_metadata = v_row.public_metadata, clerk_created_at = v_row.clerk_created_at,
             clerk_updated_at = v_row.clerk_updated_at, deleted_at = v_row.deleted_at, synced_at = v_row.synced_at
       where t.id = p_id
      returning * into v_row;
      exit;
    elsif v_apply_data then
      insert into app_public.organizations as t
             (id, name, slug, image_url, created_by, max_allowed_memberships, admin_delete_enabled, public_metadata,
              clerk_created_at, clerk_updated_at, deleted_at, synced_at)
      values (v_row.id, v_row.name, v_row.slug, v_row.image_url, v_row.created_by, v_row.max_allowed_memberships,
              v_row.admin_delete_enabled, v_row.public_metadata, v_row.clerk_created_at, v_row.clerk_updated_at,
              v_row.deleted_at, v_row.synced_at)
      on conflict (id) do nothing
      returning * into v_row;
    else
      insert into app_public.organizations as t (id, deleted_at, synced_at) values (p_id, v_deleted_at, v_row.synced_at)
      on conflict (id) do nothing
      returning * into v_row;
    end if;
    -- Not found: a concurrent event inserted the row first; decide again against its row.
    exit when found;
  end loop;

  perform app_private.finish_clerk_change(event, 'organizations', p_id, case when v_found then to_jsonb(v_before) end, to_jsonb(v_row),
                                          v_apply_data, p_private_metadata);
  return true;
end;
$$;
comment on function app_private.apply_organization_change(app_private.clerk_event, text, app_public.organizations, timestamptz, timestamptz, jsonb) is E'Applies one event to the app_public.organizations row p_id, as app_private.apply_clerk_change does for any table: p_fields holds the columns of the version the event carries (its id and bookkeeping columns are ignored; null for a tombstone), p_version that version (null for a tombstone), p_deleted_at the deletion it carries. Locks the row; returns false when the event is stale (changed nothing).';
--! EndIncluded functions/apply_organization_change.sql
--! Included functions/apply_organization_membership_change.sql
-- apply_clerk_change for app_public.organization_memberships in static SQL, planned once per
-- session, with the same shared rules (clerk_version_applies, clerk_deleted_at, finish_clerk_change).
create or replace function app_private.apply_organization_membership_change(
  event app_private.clerk_event,
  p_id text,
  p_fields app_public.organization_memberships default null,
  p_version timestamptz default null,
  p_deleted_at timestamptz default null,
  p_private_metadata jsonb default null
) returns boolean
language plpgsql volatile as $$
declare
  v_before app_public.organization_memberships;
  v_found boolean;
  v_row app_public.organization_memberships;
  v_apply_data boolean;
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;

  loop
    select * into v_before from app_public.organization_memberships as t where t.id = p_id for update;
    v_found := found;
    v_apply_data := app_private.clerk_version_applies(p_version, v_before.clerk_updated_at);
    v_deleted_at := app_private.clerk_deleted_at(v_before.deleted_at, p_deleted_at);
    if v_found and not v_apply_data and v_deleted_at is not distinct from v_before.deleted_at then
      return false;
    end if;

    v_row := case when v_apply_data then p_fields else v_before end;
    v_row.id := p_id;
    if v_apply_data then
      v_row.clerk_updated_at := p_version;
    end if;
    v_row.deleted_at := v_deleted_at;
    v_row.synced_at := now();

    if v_found then
      update app_public.organization_memberships as t
         set organization_id = v_row.organization_id, user_id = v_row.user_id, role = v_row.role, role_name = v_row.role_name,
             permissions = v_row.permissions, public_metadata = v_row.public_metadata, clerk_created_at = v_row.clerk_created_at,
             clerk_updated_at = v_row.clerk_updated_at, deleted_at = v_row.deleted_at, synced_at = v_row.synced_at
       where t.id = p_id
      returning * into v_row;
      exit;
    end if;
    -- Every membership event carries the full membership (its deletion too), so a new row
    -- always has its organization and user.
    insert into app_public.organization_memberships as t
           (id, organization_id, user_id, role, role_name, permissions, public_metadata, clerk_created_at, clerk_updated_at,
            deleted_at, synced_at)
    values (v_row.id, v_row.organization_id, v_row.user_id, v_row.role, v_row.role_name, v_row.permissions, v_row.public_metadata,
            v_row.clerk_created_at, v_row.clerk_updated_at, v_row.deleted_at, v_row.synced_at)
    on conflict (id) do nothing
    returning * into v_row;
    -- Not found: a concurrent event inserted the row first; decide again against its row.
    exit when found;
  end loop;

  perform app_private.finish_clerk_change(event, 'organization_memberships', p_id, case when v_found then to_jsonb(v_before) end,
                                          to_jsonb(v_row), v_apply_data, p_private_metadata);
  return true;
end;
$$;
comment on function app_private.apply_organization_membership_change(app_private.clerk_event, text, app_public.organization_memberships, timestamptz, timestamptz, jsonb) is E'Applies one event to the app_public.organization_memberships row p_id, as app_private.apply_clerk_change does for any table: p_fields holds the columns of the version the event carries (its id and bookkeeping columns are ignored), p_version that version, p_deleted_at the deletion it carries or inherits from its organization or user. Locks the row; returns false when the event is stale (changed nothing).';
--! EndIncluded functions/apply_organization_membership_change.sql
--! Included functions/ensure_clerk_parent.sql
-- A child may arrive before its parent: a placeholder (id only, clerk_updated_at null) takes
-- the parent's place, and the parent's own event fills it whatever its version. The share
-- lock orders this event after a concurrent deletion of the parent, so the child sees it.
-- Organizations and users, the parents of nearly every child, have static statements; the
-- parent usually exists, so it is looked up first and inserted only when missing.
create or replace function app_private.ensure_clerk_parent(p_kind text, p_id text) returns timestamptz
language plpgsql volatile as $$
declare
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception 'missing % id', p_kind using errcode = '22023';
  end if;
  if p_kind = 'organizations' then
    select t.deleted_at into v_deleted_at from app_public.organizations as t where t.id = p_id for share;
    if not found then
      insert into app_public.organizations (id) values (p_id) on conflict (id) do nothing;
      select t.deleted_at into v_deleted_at from app_public.organizations as t where t.id = p_id for share;
    end if;
  elsif p_kind = 'users' then
    select t.deleted_at into v_deleted_at from app_public.users as t where t.id = p_id for share;
    if not found then
      insert into app_public.users (id) values (p_id) on conflict (id) do nothing;
      select t.deleted_at into v_deleted_at from app_public.users as t where t.id = p_id for share;
    end if;
  else
    execute format('insert into app_public.%I (id) values ($1) on conflict (id) do nothing', p_kind) using p_id;
    execute format('select t.deleted_at from app_public.%I as t where t.id = $1 for share', p_kind) into v_deleted_at using p_id;
  end if;
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
) returns integer
language plpgsql volatile as $$
declare
  v_id text;
  v_changes integer := 0;
begin
  if p_deleted_at is null then
    return 0;
  end if;
  -- Children deleted later than the parent too: a row keeps its earliest deletion, whatever the
  -- arrival order.
  for v_id in execute format('select t.id from app_public.%I as t where t.%I = $1 and (t.deleted_at is null or t.deleted_at > $2) order by t.id', p_kind, p_parent_column)
      using p_parent_id, p_deleted_at loop
    v_changes := v_changes + case p_kind
      when 'organization_memberships' then app_private.apply_organization_membership_change(event, v_id, p_deleted_at => p_deleted_at)
      else app_private.apply_clerk_change(event, p_kind, v_id, p_deleted_at => p_deleted_at)
    end::integer;
  end loop;
  return v_changes;
end;
$$;
comment on function app_private.cascade_clerk_delete(app_private.clerk_event, text, text, text, timestamptz) is E'Soft-deletes the rows of app_public.<p_kind> whose <p_parent_column> is p_parent_id as of p_deleted_at (with their audit rows), through apply_clerk_change (apply_organization_membership_change for memberships). Returns how many rows changed.';
--! EndIncluded functions/cascade_clerk_delete.sql
--! Included functions/sync_user.sql
create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_public_metadata jsonb;
  v_user app_public.users;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- The user first, then its memberships: the order deletions lock rows in.
    v_changes := app_private.apply_user_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at);
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_public_metadata := app_private.jsonb_object_or_empty(v_data -> 'public_metadata');
    v_user.email := (select e ->> 'email_address'
                       from jsonb_array_elements(case when jsonb_typeof(v_data -> 'email_addresses') = 'array' then v_data -> 'email_addresses' else '[]' end) as e
                      where e ->> 'id' = v_data ->> 'primary_email_address_id'
                      limit 1);
    v_user.first_name := v_data ->> 'first_name';
    v_user.last_name := v_data ->> 'last_name';
    v_user.username := v_data ->> 'username';
    v_user.image_url := v_data ->> 'image_url';
    v_user.public_metadata := v_public_metadata;
    v_user.onboarding_complete := coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false);
    v_user.role := case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end;
    v_user.banned := coalesce(app_private.jsonb_boolean(v_data -> 'banned'), false);
    v_user.locked := coalesce(app_private.jsonb_boolean(v_data -> 'locked'), false);
    v_user.last_sign_in_at := app_private.clerk_time(v_data -> 'last_sign_in_at');
    v_user.last_active_at := app_private.clerk_time(v_data -> 'last_active_at');
    v_user.clerk_created_at := app_private.clerk_time(v_data -> 'created_at');
    v_changes := app_private.apply_user_change(
      event, v_data ->> 'id', v_user,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
--! EndIncluded functions/sync_user.sql
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
    v_organization.name := v_data ->> 'name';
    v_organization.slug := v_data ->> 'slug';
    v_organization.image_url := v_data ->> 'image_url';
    v_organization.created_by := nullif(v_data ->> 'created_by', '');
    v_organization.max_allowed_memberships := app_private.jsonb_integer(v_data -> 'max_allowed_memberships');
    v_organization.admin_delete_enabled := app_private.jsonb_boolean(v_data -> 'admin_delete_enabled');
    v_organization.public_metadata := app_private.jsonb_object_or_empty(v_data -> 'public_metadata');
    v_organization.clerk_created_at := app_private.clerk_time(v_data -> 'created_at');
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
--! Included functions/sync_organization_membership.sql
create or replace function app_private.sync_organization_membership(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_membership app_public.organization_memberships;
  v_inherited_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type in ('organizationMembership.created', 'organizationMembership.updated', 'organizationMembership.deleted') then
    v_membership.organization_id := v_data #>> '{organization,id}';
    v_membership.user_id := v_data #>> '{public_user_data,user_id}';
    -- Parents first (placeholders if need be), in the same order as their deletions lock them.
    v_inherited_deleted_at := least(
      app_private.ensure_clerk_parent('organizations', v_membership.organization_id),
      app_private.ensure_clerk_parent('users', v_membership.user_id));
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
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_membership(app_private.clerk_event) is E'organizationMembership.created/updated/deleted into app_public.organization_memberships. Creates placeholder organization/user rows when the membership arrives first; a membership of an already deleted organization or user is stored deleted. Returns processed, stale or ignored (other organizationMembership.* types).';
--! EndIncluded functions/sync_organization_membership.sql
--! Included functions/sync_organization_invitation.sql
create or replace function app_private.sync_organization_invitation(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  if event.event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked') then
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
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_invitation(app_private.clerk_event) is E'organizationInvitation.created/accepted/revoked into app_public.organization_invitations (a placeholder organization when the invitation arrives first; stored deleted when its organization is). Returns processed, stale or ignored (other organizationInvitation.* types).';
--! EndIncluded functions/sync_organization_invitation.sql
--! Included functions/sync_organization_domain.sql
create or replace function app_private.sync_organization_domain(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  if event.event_type = 'organizationDomain.deleted' then
    -- A tombstone: it names no organization, the row keeps the one it had.
    v_changes := app_private.apply_clerk_change(event, 'organization_domains', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event))::integer;
  elsif event.event_type in ('organizationDomain.created', 'organizationDomain.updated') then
    v_changes := app_private.apply_clerk_change(
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
      p_deleted_at => app_private.ensure_clerk_parent('organizations', nullif(v_data ->> 'organization_id', '')))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_organization_domain(app_private.clerk_event) is E'organizationDomain.created/updated/deleted into app_public.organization_domains; the deletion is a tombstone (soft delete). A placeholder organization when the domain arrives first; stored deleted when its organization is. Returns processed, stale or ignored (other organizationDomain.* types).';
--! EndIncluded functions/sync_organization_domain.sql
--! Included functions/sync_role.sql
create or replace function app_private.sync_role(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_permissions jsonb := case when jsonb_typeof(event.data -> 'permissions') = 'array' then event.data -> 'permissions' else '[]' end;
  v_permission jsonb;
  v_changes integer;
begin
  if event.event_type = 'role.deleted' then
    v_changes := app_private.apply_clerk_change(event, 'roles', v_data ->> 'id', p_deleted_at => app_private.clerk_deletion_time(event))::integer;
  elsif event.event_type in ('role.created', 'role.updated') then
    v_changes := 0;
    -- The embedded permissions first, in id order so concurrent role events lock them in the same order.
    for v_permission in
      select p from jsonb_array_elements(v_permissions) as p where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by p ->> 'id'
    loop
      v_changes := v_changes + app_private.apply_permission(row(event.svix_id, event.event_type, v_permission, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event)::integer;
    end loop;
    v_changes := v_changes + app_private.apply_clerk_change(
      event, 'roles', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'key', v_data ->> 'key',
        'name', v_data ->> 'name',
        'description', v_data ->> 'description',
        'is_creator_eligible', app_private.jsonb_boolean(v_data -> 'is_creator_eligible'),
        'permission_ids', to_jsonb(array(select distinct p ->> 'id' from jsonb_array_elements(v_permissions) as p
                                          where jsonb_typeof(p) = 'object' and p ->> 'id' <> '' order by 1)),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event))::integer;
  end if;
  if v_changes is not null then
    perform app_private.refresh_role_permissions(array[v_data ->> 'id']);
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_role(app_private.clerk_event) is E'role.created/updated/deleted into app_public.roles; the deletion is a tombstone (soft delete). The full permissions a role event embeds are applied to app_public.permissions too, and the role''s app_public.role_permissions links are rewritten from its newest version. Returns processed, stale or ignored (other role.* types).';
--! EndIncluded functions/sync_role.sql
--! Included functions/sync_permission.sql
create or replace function app_private.sync_permission(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_id text := event.data ->> 'id';
  v_changes integer;
begin
  if event.event_type = 'permission.deleted' then
    v_changes := app_private.apply_clerk_change(event, 'permissions', v_id, p_deleted_at => app_private.clerk_deletion_time(event))::integer;
    perform app_private.refresh_role_permissions(array(select l.role_id from app_public.role_permissions as l where l.permission_id = v_id));
  elsif event.event_type in ('permission.created', 'permission.updated') then
    v_changes := app_private.apply_permission(event)::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_permission(app_private.clerk_event) is E'permission.created/updated/deleted into app_public.permissions; the deletion is a tombstone (soft delete) and unlinks the permission from every role. Returns processed, stale or ignored (other permission.* types).';
--! EndIncluded functions/sync_permission.sql
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
      p_version => app_private.clerk_event_version(event))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_session(app_private.clerk_event) is E'session.created/ended/removed/revoked/pending into app_public.sessions (status, times, last active organization; the embedded user is not stored). Returns processed, stale or ignored (other session.* types).';
--! EndIncluded functions/sync_session.sql
--! Included functions/sync_clerk_message.sql
create or replace function app_private.sync_clerk_message(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  if event.event_type in ('email.created', 'sms.created') then
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
    get diagnostics v_changes = row_count;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_clerk_message(app_private.clerk_event) is E'email.created and sms.created into app_private.clerk_messages (delivery metadata only; the ledger''s copy of the payload had its one-time codes redacted by app_private.handle_clerk_event before it was stored). No audit row: nothing tenant-visible changes. Returns processed, stale (message already recorded) or ignored.';
--! EndIncluded functions/sync_clerk_message.sql
--! Included functions/sync_subscription.sql
create or replace function app_private.sync_subscription(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_item jsonb;
  v_changes integer;
begin
  if event.event_type in ('subscription.created', 'subscription.updated', 'subscription.active', 'subscription.pastDue') then
    v_changes := app_private.apply_clerk_change(
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
      p_version => app_private.clerk_event_version(event))::integer;
    -- The embedded items are full items with their own updated_at, in id order (lock order).
    for v_item in
      select i from jsonb_array_elements(case when jsonb_typeof(v_data -> 'items') = 'array' then v_data -> 'items' else '[]' end) as i
       where jsonb_typeof(i) = 'object' and i ->> 'id' <> '' order by i ->> 'id'
    loop
      v_changes := v_changes + app_private.apply_subscription_item(row(event.svix_id, event.event_type, v_item, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event, v_data)::integer;
    end loop;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_subscription(app_private.clerk_event) is E'subscription.created/updated/active/pastDue into app_public.billing_subscriptions, and the items it embeds into app_public.billing_subscription_items. Returns processed, stale or ignored (other subscription.* types).';
--! EndIncluded functions/sync_subscription.sql
--! Included functions/sync_subscription_item.sql
create or replace function app_private.sync_subscription_item(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_changes integer;
begin
  -- Every subscriptionItem.* event carries the full item; what happened is in its status.
  if event.event_type in ('subscriptionItem.created', 'subscriptionItem.updated', 'subscriptionItem.active', 'subscriptionItem.canceled',
                              'subscriptionItem.upcoming', 'subscriptionItem.ended', 'subscriptionItem.abandoned', 'subscriptionItem.incomplete',
                              'subscriptionItem.pastDue', 'subscriptionItem.freeTrialEnding') then
    v_changes := app_private.apply_subscription_item(event)::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_subscription_item(app_private.clerk_event) is E'subscriptionItem.* (created, updated, active, canceled, upcoming, ended, abandoned, incomplete, pastDue, freeTrialEnding) into app_public.billing_subscription_items. freeTrialEnding is a reminder that repeats the item unchanged, so it is usually stale. Returns processed, stale or ignored (other subscriptionItem.* types).';
--! EndIncluded functions/sync_subscription_item.sql
--! Included functions/sync_clerk_event.sql
create or replace function app_private.sync_clerk_event(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  return case split_part(event.event_type, '.', 1)
    when 'user' then app_private.sync_user(event)
    when 'organization' then app_private.sync_organization(event)
    when 'organizationMembership' then app_private.sync_organization_membership(event)
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
    else app_private.clerk_sync_outcome(null)
  end;
end;
$$;
comment on function app_private.sync_clerk_event(app_private.clerk_event) is E'Dispatches an event to the sync function of its family (the part of the type before the dot); types of no modelled family (waitlistEntry, invitation, paymentAttempt, anything unknown) are ignored. Each family returns app_private.clerk_sync_outcome of the rows it changed: processed, stale or ignored.';
--! EndIncluded functions/sync_clerk_event.sql
--! Included functions/clerk_event_of.sql
create or replace function app_private.clerk_event_of(p_key text, p_payload jsonb, p_occurred_at timestamptz) returns app_private.clerk_event
language sql immutable parallel safe as $$
  select row(
    p_key,
    p_payload ->> 'type',
    p_payload -> 'data',
    p_occurred_at,
    nullif(p_payload #>> '{event_attributes,http_request,client_ip}', ''),
    nullif(p_payload #>> '{event_attributes,http_request,user_agent}', '')
  )::app_private.clerk_event
$$;
comment on function app_private.clerk_event_of(text, jsonb, timestamptz) is E'The event the sync functions see, built from a stored payload: its ledger key, type, data, when it happened (p_occurred_at: the envelope timestamp, else when the delivery was first received) and the client IP and user agent Clerk reports.';
--! EndIncluded functions/clerk_event_of.sql
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
comment on function app_private.process_clerk_event(app_private.clerk_event, jsonb) is E'Runs the sync of one event (p_payload: the stored payload it was built from) and returns its outcome: processed, stale, ignored, or failed with the SQLSTATE and message of a permanent error, whose writes are undone. Transient errors (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried.';
--! EndIncluded functions/process_clerk_event.sql
--! Included functions/claim_webhook_key.sql
-- Exactly-once without relying on a unique index: a transaction-level advisory lock on the key
-- makes a second delivery of the same svix-id (from any receiver on the same database) wait here
-- until the first one's transaction ends; each statement of a read-committed transaction sees
-- what committed before it, so the look-up then finds the first delivery's ledger row.
create or replace function app_private.claim_webhook_key(p_key text) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_earlier app_private.webhook_events;
begin
  perform pg_advisory_xact_lock(hashtextextended(p_key, 0));
  update app_private.webhook_events as w
     set duplicates = w.duplicates + 1, last_received_at = now()
   where w.svix_id = p_key
  returning * into v_earlier;
  return v_earlier;
end;
$$;
comment on function app_private.claim_webhook_key(text) is E'Takes the ledger key of a delivery for the rest of the transaction (an advisory lock: a concurrent delivery of the same key waits until this transaction ends), then looks for an earlier delivery of it. Returns that ledger row, counted one more duplicate, or a row of nulls when this is the first delivery.';
--! EndIncluded functions/claim_webhook_key.sql
--! Included functions/record_webhook_event.sql
-- The one insert of a delivery into the ledger, made after the sync with its final outcome, so the
-- row (and its payload) is written once. claim_webhook_key has already excluded a duplicate; a
-- conflict here means a writer that did not take that lock (an older receiver during a rolling
-- deploy) committed the key first: the delivery is retried, and the retry answers duplicate.
create or replace function app_private.record_webhook_event(
  p_key text,
  p_payload jsonb,
  p_source text,
  p_outcome text,
  p_error_code text,
  p_error_message text,
  p_occurred_at timestamptz
) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
begin
  insert into app_private.webhook_events as w
         (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_code, error_message, occurred_at, processed_at)
  values (p_key, p_payload ->> 'type', p_payload #>> '{data,id}', app_private.clerk_event_organization_id(p_payload), p_payload,
          p_source, p_outcome, p_error_code, p_error_message, p_occurred_at, clock_timestamp())
  on conflict on constraint webhook_events_pkey do nothing
  returning * into v_ledger;
  if not found then
    raise exception 'delivery % was recorded concurrently', p_key using errcode = '40001';
  end if;
  return v_ledger;
end;
$$;
comment on function app_private.record_webhook_event(text, jsonb, text, text, text, text, timestamptz) is E'Inserts the ledger row of a first delivery with its final outcome (processed, stale, ignored, or failed with SQLSTATE and message) and returns it. Raises serialization_failure (40001, transient: the caller answers 503 and the retry is a duplicate) when the key was committed meanwhile by a writer that did not take claim_webhook_key''s lock.';
--! EndIncluded functions/record_webhook_event.sql
--! Included functions/process_webhook_event.sql
-- A replay: runs the sync again for a stored ledger row and records the new outcome on it. The
-- first delivery does not come here (handle_clerk_event writes its row once, after the sync).
create or replace function app_private.process_webhook_event(p_svix_id text) returns jsonb
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
  v_outcome text;
  v_error_code text;
  v_error_message text;
begin
  select * into strict v_ledger from app_private.webhook_events as w where w.svix_id = p_svix_id for update;
  select p.outcome, p.error_code, p.error_message into v_outcome, v_error_code, v_error_message
    from app_private.process_clerk_event(
      app_private.clerk_event_of(v_ledger.svix_id, v_ledger.payload, coalesce(v_ledger.occurred_at, v_ledger.received_at)),
      v_ledger.payload) as p;
  update app_private.webhook_events as w
     set outcome = v_outcome, error_code = v_error_code, error_message = v_error_message, processed_at = clock_timestamp()
   where w.svix_id = p_svix_id
  returning * into v_ledger;
  return app_private.webhook_event_result(v_ledger, v_outcome);
end;
$$;
comment on function app_private.process_webhook_event(text) is E'Syncs again the event stored in the ledger row p_svix_id (a replay) and records its outcome there (processed, stale, ignored, failed with SQLSTATE and message). Permanent errors are caught; transient ones (classes 40, 53, 57, 08 and 55P03) propagate so the replay can be retried. Returns the result object of handle_clerk_event.';
--! EndIncluded functions/process_webhook_event.sql
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
