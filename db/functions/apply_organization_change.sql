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
