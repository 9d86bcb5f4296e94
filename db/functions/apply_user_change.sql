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
