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
