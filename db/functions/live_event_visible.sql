-- Whether the visitor may learn of a change announced on a channel they listen to. Row-level
-- security decides: for an insert or update the changed row must be readable by the visitor now
-- (it is looked up as the visitor, through the table's policies). A deleted row is readable by
-- nobody, so a deletion is shown to those the table's policy shows its live rows to: the same
-- organization, with the same permission where the policy asks one. Tables not listed here never
-- announce deletions (safe by default).
-- SECURITY INVOKER on purpose: it must see exactly what the visitor sees.
create or replace function app_public.live_event_visible(p_kind text, p_id text, p_operation text, p_organization_id text) returns boolean
  language plpgsql stable security invoker
  as $$
declare
  v_visible boolean;
begin
  if to_regclass(format('app_public.%I', p_kind)) is null or p_id is null then
    return false;
  end if;
  if p_operation <> 'delete' then
    execute format('select exists (select 1 from app_public.%I as t where t.id = %L)', p_kind, p_id) into v_visible;
    return v_visible;
  end if;
  return case p_kind
    when 'users' then p_id = app_public.current_user_id()
    when 'organizations' then p_id = app_public.current_org_id()
    when 'organization_memberships' then p_organization_id = app_public.current_org_id()
    when 'organization_invitations' then p_organization_id = app_public.current_org_id() and app_public.has_permission('org:sys_memberships:read')
    when 'organization_domains' then p_organization_id = app_public.current_org_id() and app_public.has_permission('org:sys_domains:read')
    when 'billing_subscriptions' then p_organization_id = app_public.current_org_id()
    when 'billing_subscription_items' then p_organization_id = app_public.current_org_id()
    else false
  end;
end;
$$;

comment on function app_public.live_event_visible(text, text, text, text) is E'@behavior -*\nWhether the visitor may receive a change notification about row p_id of app_public.<p_kind>: readable under row-level security, or for a deletion, shown to the readers of the table''s live rows.';
revoke all on function app_public.live_event_visible(text, text, text, text) from public;
grant execute on function app_public.live_event_visible(text, text, text, text) to authenticated;
