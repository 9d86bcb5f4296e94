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
