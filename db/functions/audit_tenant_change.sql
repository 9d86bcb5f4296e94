-- AFTER INSERT/UPDATE/DELETE trigger shared by every table visitors write (one function, attached
-- per table): one app_public.audit_logs row per changed row, holding only the fields that changed
-- as {"field": {"before", "after"}}, the organization of the row and the acting user
-- (current_user_id(); null when the owner writes outside a request). Such rows have no delivery
-- (svix_id, event_type null), which is how they differ from the Clerk sync's own audit rows.
-- SECURITY DEFINER: visitors may not write audit_logs themselves.
-- Expects the table to have `id` and `organization_id` columns.
create or replace function app_private.audit_tenant_change() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog, pg_temp
  as $$
declare
  v_before jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  v_after jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  v_row jsonb := coalesce(v_after, v_before);
  v_changes jsonb;
begin
  select coalesce(jsonb_object_agg(d.key, jsonb_build_object('before', d.before, 'after', d.after)), '{}')
    into v_changes
    from (
      select k.key, coalesce(v_before -> k.key, 'null') as before, coalesce(v_after -> k.key, 'null') as after
        from jsonb_object_keys(coalesce(v_before, '{}') || coalesce(v_after, '{}')) as k(key)
       where k.key not in ('updated_at')
    ) as d
   where d.before is distinct from d.after;
  if tg_op = 'UPDATE' and v_changes = '{}' then
    return null;
  end if;
  insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, actor_id, occurred_at)
  values (
    v_row ->> 'organization_id', tg_table_name, v_row ->> 'id',
    case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end,
    v_changes, app_public.current_user_id(), now()
  );
  return null;
end
$$;

comment on function app_private.audit_tenant_change() is E'Trigger shared by the tables visitors write: one audit_logs row per inserted, updated (fields changed) or deleted row, with only the changed fields and the acting user as actor_id.';
