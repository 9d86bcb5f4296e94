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
