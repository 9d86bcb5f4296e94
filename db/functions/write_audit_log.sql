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
