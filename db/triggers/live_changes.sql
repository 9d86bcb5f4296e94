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

-- Audit rows are only ever added (and redacted, which is not news). A row of no organization (a
-- user's own history) has no channel: the WHEN clause spares every user delivery the call.
drop trigger if exists live_change on app_public.audit_logs;
create trigger live_change after insert on app_public.audit_logs
  for each row when (new.organization_id is not null) execute function app_private.notify_live_change('organization_id', '');

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
