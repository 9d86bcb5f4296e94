-- Whether the visitor may learn of a change announced on a channel they listen to. Row-level
-- security decides: for an insert or update the changed row must be readable by the visitor now
-- (it is looked up as the visitor, through the table's policies). A deleted row is readable by
-- nobody, so a deletion is shown to those the table's policy shows all its live rows of the
-- organization to: the same organization, with the permission the policy asks where it asks one.
-- A driver who sees only their own loads therefore learns of a load's deletion by refetching.
-- Tables not listed here never announce deletions (safe by default).
-- SECURITY INVOKER on purpose: it must see exactly what the visitor sees.
create or replace function app_public.live_event_visible(kind text, id text, operation text, organization_id text) returns boolean
  language plpgsql stable
  as $$
declare
  v_visible boolean;
  v_same_organization boolean := live_event_visible.organization_id = app_public.current_org_id();
begin
  if to_regclass(format('app_public.%I', live_event_visible.kind)) is null or live_event_visible.id is null then
    return false;
  end if;
  if live_event_visible.operation <> 'delete' then
    execute format('select exists (select 1 from app_public.%I as t where t.id = %L)', live_event_visible.kind, live_event_visible.id) into v_visible;
    return v_visible;
  end if;
  return coalesce(case live_event_visible.kind
    when 'users' then live_event_visible.id = app_public.current_user_id()
    when 'organizations' then live_event_visible.id = app_public.current_org_id()
    when 'organization_memberships' then v_same_organization
    when 'organization_invitations' then v_same_organization and app_public.has_permission('org:sys_memberships:read')
    when 'organization_domains' then v_same_organization and app_public.has_permission('org:sys_domains:read')
    when 'billing_subscriptions' then v_same_organization
    when 'billing_subscription_items' then v_same_organization
    -- The reference tenant's tables: the permissions of their select policies that open every row.
    when 'loads' then v_same_organization
      and app_public.current_permissions() && '{org:admin:view_edit_all_loads,org:dispatcher:create_edit_loads,org:dispatcher:access_dispatch_dashboard}'::text[]
    when 'drivers' then v_same_organization
      and app_public.current_permissions() && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles,org:dispatcher:view_driver_vehicle_status,org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance}'::text[]
    when 'vehicles' then v_same_organization
      and app_public.current_permissions() && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles,org:dispatcher:view_driver_vehicle_status,org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance}'::text[]
    when 'compliance_documents' then v_same_organization
      and app_public.current_permissions() && '{org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance,org:admin:configure_company_settings}'::text[]
    when 'ifta_reports' then v_same_organization
      and app_public.current_permissions() && '{org:compliance:generate_compliance_req,org:admin:access_all_reports}'::text[]
    else false
  end, false);
end;
$$;

revoke all on function app_public.live_event_visible(text, text, text, text) from public;
grant execute on function app_public.live_event_visible(text, text, text, text) to authenticated;
comment on function app_public.live_event_visible(text, text, text, text) is
  E'@behavior -*\nWhether the visitor may receive a change notification about row id of app_public.<kind>: '
  'readable under row-level security, or for a deletion, shown to the readers of all of the table''s live rows.';
