--! Previous: sha1:8d8a7599c1321561c4898ec6e836a966344432d6
--! Hash: sha1:51b97ecfe80f439ce0957771d4ddb763bf98a24f
--! Message: Change notifications for live subscriptions: NOTIFY org:<id> and user:<id> with ids only from AFTER row triggers, visibility and access-ended checks

-- Live updates: change notifications with ids only, for GraphQL subscriptions.
--! Included functions/live_channel.sql
-- The LISTEN/NOTIFY channel of one organization (`org:<id>`) or one user (`user:<id>`). Channel
-- names are identifiers (at most 63 bytes): a longer one is named by the md5 of the id instead, a
-- rule the server applies the same way (server/graphql/live/channels.ts).
create or replace function app_private.live_channel(scope text, id text) returns text
  language sql immutable strict parallel safe
  as $$
    select case
      when octet_length(live_channel.scope || ':' || live_channel.id) <= 63 then live_channel.scope || ':' || live_channel.id
      else live_channel.scope || ':#' || md5(live_channel.id)
    end
  $$;

revoke all on function app_private.live_channel(text, text) from public;
comment on function app_private.live_channel(text, text) is
  'The NOTIFY channel of an organization (scope org) or a user (scope user): scope:id, or scope:#md5(id) '
  'when that would exceed 63 bytes.';
--! EndIncluded functions/live_channel.sql
--! Included functions/notify_live_change.sql
-- Tells GraphQL subscribers that a row changed, with ids only: the payload names the table (kind),
-- the row's id, the operation and the organization, never a column value, because every listener
-- of a channel receives it. Subscribers load the row themselves, under their own row-level security.
-- NOTIFY is transactional: a delivery that rolls back (or a failed one, whose work is rolled back to
-- its savepoint) notifies nobody, and a duplicate or stale delivery writes no row, so it notifies
-- nobody either.
-- Trigger arguments: the column holding the organization id and the one holding the user id (''
-- for none): the change goes to `org:<organization>` and to `user:<user>`.
-- SECURITY DEFINER because tenants' own writes fire it too, and they have no access to app_private.
create or replace function app_private.notify_live_change() returns trigger
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
  as $$
declare
  v_row jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
  v_organization_id text := case when tg_argv[0] <> '' then v_row ->> tg_argv[0] end;
  v_user_id text := case when tg_nargs > 1 and tg_argv[1] <> '' then v_row ->> tg_argv[1] end;
  v_payload text;
begin
  v_payload := json_build_object(
    'kind', tg_table_name,
    'id', v_row ->> 'id',
    -- A soft delete (deleted_at set) is a deletion to a subscriber.
    'op', case
      when tg_op = 'INSERT' then 'insert'
      when tg_op = 'DELETE' then 'delete'
      when v_row ->> 'deleted_at' is not null and to_jsonb(old) ->> 'deleted_at' is null then 'delete'
      else 'update'
    end,
    'org', v_organization_id
  )::text;
  -- NOTIFY refuses payloads of 8000 bytes and more; only an absurd id could get there, and a
  -- write must never fail for want of a notification.
  if octet_length(v_payload) >= 8000 then
    return null;
  end if;
  if v_organization_id is not null then
    perform pg_notify(app_private.live_channel('org', v_organization_id), v_payload);
  end if;
  if v_user_id is not null then
    perform pg_notify(app_private.live_channel('user', v_user_id), v_payload);
  end if;
  return null;
end;
$$;

revoke all on function app_private.notify_live_change() from public;
comment on function app_private.notify_live_change() is
  'AFTER row trigger: NOTIFY org:<organization> and user:<user> (the columns named by the trigger '
  'arguments) with {kind, id, op, org} and nothing else.';
--! EndIncluded functions/notify_live_change.sql
--! Included functions/live_event_visible.sql
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
--! EndIncluded functions/live_event_visible.sql
--! Included functions/live_access_ended.sql
-- Whether the visitor's session is known to have lost its access: the user was deleted or banned,
-- or current_access() (the one rule for permissions fresher than the token) refuses the active
-- organization (the membership ended, the organization was deleted). Tokens live up to a minute,
-- but a live subscription outlasts the moment its token was checked: subscriptions end when the
-- sync learns of the departure, and a token issued before it cannot open new ones. A membership
-- not synced yet is not a departure.
-- SECURITY DEFINER: deleted rows are hidden from the visitor by their policies.
create or replace function app_public.live_access_ended() returns boolean
  language sql stable security definer set search_path = pg_catalog, pg_temp
  as $$
    select coalesce((select u.deleted_at is not null or u.banned from app_public.users u where u.id = app_public.current_user_id()), false)
           or (app_public.current_org_id() is not null and (app_public.current_access()).organization_id is null)
  $$;

revoke all on function app_public.live_access_ended() from public;
grant execute on function app_public.live_access_ended() to authenticated;
comment on function app_public.live_access_ended() is
  E'@behavior -*\nWhether the visitor''s user is deleted or banned, or their access to the active organization '
  'ended (current_access refuses it): their live subscriptions end.';
--! EndIncluded functions/live_access_ended.sql
--! Included triggers/live_changes.sql
-- Which tables announce their changes to GraphQL subscribers, and on which channels (see
-- app_private.notify_live_change): arguments are the organization column and the user column.
-- AFTER row triggers, so the sync functions stay unaware of subscriptions; a table that should be
-- live gets one line here.
drop trigger if exists live_change on app_public.organizations;
create trigger live_change after insert or update or delete on app_public.organizations
  for each row execute function app_private.notify_live_change('id', '');

drop trigger if exists live_change on app_public.users;
create trigger live_change after insert or update or delete on app_public.users
  for each row execute function app_private.notify_live_change('', 'id');

drop trigger if exists live_change on app_public.organization_memberships;
create trigger live_change after insert or update or delete on app_public.organization_memberships
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.organization_invitations;
create trigger live_change after insert or update or delete on app_public.organization_invitations
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.organization_domains;
create trigger live_change after insert or update or delete on app_public.organization_domains
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.billing_subscriptions;
create trigger live_change after insert or update or delete on app_public.billing_subscriptions
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.billing_subscription_items;
create trigger live_change after insert or update or delete on app_public.billing_subscription_items
  for each row execute function app_private.notify_live_change('organization_id', 'user_id');

drop trigger if exists live_change on app_public.sessions;
create trigger live_change after insert or update or delete on app_public.sessions
  for each row execute function app_private.notify_live_change('', 'user_id');

-- Audit rows are only ever added (and redacted, which is not news).
drop trigger if exists live_change on app_public.audit_logs;
create trigger live_change after insert on app_public.audit_logs
  for each row execute function app_private.notify_live_change('organization_id', '');

-- The reference tenant's tables, written by visitors through GraphQL.
drop trigger if exists live_change on app_public.loads;
create trigger live_change after insert or update or delete on app_public.loads
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.drivers;
create trigger live_change after insert or update or delete on app_public.drivers
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.vehicles;
create trigger live_change after insert or update or delete on app_public.vehicles
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.compliance_documents;
create trigger live_change after insert or update or delete on app_public.compliance_documents
  for each row execute function app_private.notify_live_change('organization_id', '');

drop trigger if exists live_change on app_public.ifta_reports;
create trigger live_change after insert or update or delete on app_public.ifta_reports
  for each row execute function app_private.notify_live_change('organization_id', '');
--! EndIncluded triggers/live_changes.sql
