--! Previous: sha1:c11a57c885b972bd30c65b848fd305cf89bc0bed
--! Hash: sha1:ba4f8bc768ec8d44415cf26fd7db7dd881e94645
--! Message: Row-level security stated once: app_private.secure_table, called by every policy file

--! Included functions/secure_table.sql
-- The start of every db/policies file (layout and reasons: db/CONVENTIONS.md, "Policies").
create or replace function app_private.secure_table(target regclass) returns void
language plpgsql volatile set search_path = pg_catalog, pg_temp as $$
begin
  execute format('alter table %s enable row level security', secure_table.target);
  execute format('alter table %s force row level security', secure_table.target);
  execute format('drop policy if exists sync_owner_all on %s', secure_table.target);
  -- current_user is the role running the migration: the owner, which the SECURITY DEFINER
  -- functions also run as.
  execute format('create policy sync_owner_all on %s for all to current_user using (true) with check (true)', secure_table.target);
  execute format('comment on policy sync_owner_all on %s is %L', secure_table.target,
    'The owner (migrations, maintenance, and the SECURITY DEFINER functions, which run as it) reads and writes every row; forced RLS would otherwise block it too.');
  execute format('revoke all on %s from authenticated, anonymous', secure_table.target);
end;
$$;
revoke all on function app_private.secure_table(regclass) from public;
comment on function app_private.secure_table(regclass) is
  'Row-level security for a table, stated once for all of them: enabled and forced (so even the owner '
  'passes a policy), one sync_owner_all policy for the owner, and no privileges for authenticated or '
  'anonymous, which the policy file then grants. Each db/policies file calls it, as the owner, during migrations.';
--! EndIncluded functions/secure_table.sql
-- The fleet tables' owner policy is sync_owner_all now, as on every other table (secure_table).
drop policy if exists owner_all on app_public.compliance_documents;
drop policy if exists owner_all on app_public.drivers;
drop policy if exists owner_all on app_public.ifta_reports;
drop policy if exists owner_all on app_public.loads;
drop policy if exists owner_all on app_public.vehicles;
--! Included policies/audit_logs.sql
-- Row-level security of app_public.audit_logs (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.audit_logs');

-- Tenants. Read-only, and only with one of the reference tenant's audit permissions.
grant select on app_public.audit_logs to authenticated;

drop policy if exists select_with_audit_permission on app_public.audit_logs;
create policy select_with_audit_permission on app_public.audit_logs for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.has_permission('org:admin:view_audit_logs')) or (select app_public.has_permission('org:compliance:access_audit_logs')))
  );
comment on policy select_with_audit_permission on app_public.audit_logs is E'Audit rows of the active organization, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs.';
--! EndIncluded policies/audit_logs.sql
--! Included policies/billing_subscription_items.sql
-- Row-level security of app_public.billing_subscription_items (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.billing_subscription_items');

grant select on app_public.billing_subscription_items to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization, so the policy checks
-- that the organization is live (once per statement).
drop policy if exists select_current_org on app_public.billing_subscription_items;
create policy select_current_org on app_public.billing_subscription_items for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
  );
comment on policy select_current_org on app_public.billing_subscription_items is E'Members see the billing subscription items of their active organization, while it exists.';

drop policy if exists select_own on app_public.billing_subscription_items;
create policy select_own on app_public.billing_subscription_items for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscription_items is E'A user sees the billing subscription items they pay for themselves.';
--! EndIncluded policies/billing_subscription_items.sql
--! Included policies/billing_subscriptions.sql
-- Row-level security of app_public.billing_subscriptions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.billing_subscriptions');

grant select on app_public.billing_subscriptions to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization, so the policy checks
-- that the organization is live (once per statement).
drop policy if exists select_current_org on app_public.billing_subscriptions;
create policy select_current_org on app_public.billing_subscriptions for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
  );
comment on policy select_current_org on app_public.billing_subscriptions is E'Members see the billing subscriptions of their active organization, while it exists.';

drop policy if exists select_own on app_public.billing_subscriptions;
create policy select_own on app_public.billing_subscriptions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscriptions is E'A user sees the billing subscriptions they pay for themselves.';
--! EndIncluded policies/billing_subscriptions.sql
--! Included policies/compliance_documents.sql
-- Row-level security of app_public.compliance_documents, the reference tenant's compliance documents. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. Layout: db/CONVENTIONS.md.
select app_private.secure_table('app_public.compliance_documents');

grant select, delete on app_public.compliance_documents to authenticated;
-- Per column: the database keeps the bookkeeping columns (created_at, updated_at, who created the
-- row), and no visitor changes a row's id or organization.
grant insert (id, organization_id, document_type, title, driver_id, vehicle_id, load_id, document_number, file_url, issued_on, expires_on, status, verified_by, verified_at, notes) on app_public.compliance_documents to authenticated;
grant update (document_type, title, driver_id, vehicle_id, load_id, document_number, file_url, issued_on, expires_on, status, verified_by, verified_at, notes) on app_public.compliance_documents to authenticated;

drop policy if exists select_compliance_or_own on app_public.compliance_documents;
create policy select_compliance_or_own on app_public.compliance_documents for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance}'::text[]
         or driver_id = (select app_public.current_driver_id()) and (select app_public.current_permissions()) && '{org:driver:upload_documents}'::text[])
  );
comment on policy select_compliance_or_own on app_public.compliance_documents is E'Compliance (org:compliance:view_compliance_dashboard or org:compliance:upload_review_compliance) and admins (org:admin:configure_company_settings) see the organization''s documents; a driver with org:driver:upload_documents sees the documents about them.';

drop policy if exists insert_compliance_or_driver on app_public.compliance_documents;
create policy insert_compliance_or_driver on app_public.compliance_documents for insert to authenticated
  with check (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:compliance:upload_review_compliance}'::text[]
         or (select app_public.current_permissions()) && '{org:driver:upload_documents}'::text[]
            and status = 'pending' and verified_by is null and verified_at is null
            and (driver_id = (select app_public.current_driver_id()) or load_id in (select l.id from app_public.loads l where l.driver_id = (select app_public.current_driver_id()))))
  );
comment on policy insert_compliance_or_driver on app_public.compliance_documents is E'Compliance (org:compliance:upload_review_compliance) and admins add documents; a driver with org:driver:upload_documents adds pending, unverified documents about themselves or their loads.';

drop policy if exists update_review on app_public.compliance_documents;
create policy update_review on app_public.compliance_documents for update to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:compliance:upload_review_compliance}'::text[]
  )
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:compliance:upload_review_compliance}'::text[]
  );
comment on policy update_review on app_public.compliance_documents is E'Compliance (org:compliance:upload_review_compliance) and admins edit and verify documents; drivers cannot.';

drop policy if exists delete_review on app_public.compliance_documents;
create policy delete_review on app_public.compliance_documents for delete to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:compliance:upload_review_compliance}'::text[]
  );
comment on policy delete_review on app_public.compliance_documents is E'Compliance (org:compliance:upload_review_compliance) and admins remove documents.';
--! EndIncluded policies/compliance_documents.sql
--! Included policies/drivers.sql
-- Row-level security of app_public.drivers, the reference tenant's drivers. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. Layout: db/CONVENTIONS.md.
select app_private.secure_table('app_public.drivers');

grant select, delete on app_public.drivers to authenticated;
-- Per column: the database keeps the bookkeeping columns (created_at, updated_at, who created the
-- row), and no visitor changes a row's id or organization.
grant insert (id, organization_id, user_id, first_name, last_name, email, phone, license_number, license_state, license_class, license_expires_on, medical_card_expires_on, hired_on, status, notes) on app_public.drivers to authenticated;
grant update (user_id, first_name, last_name, email, phone, license_number, license_state, license_class, license_expires_on, medical_card_expires_on, hired_on, status, notes) on app_public.drivers to authenticated;

drop policy if exists select_fleet_staff_or_self on app_public.drivers;
create policy select_fleet_staff_or_self on app_public.drivers for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles,org:dispatcher:view_driver_vehicle_status,org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance}'::text[]
         or user_id = (select app_public.current_user_id()) and (select app_public.current_permissions()) && '{org:driver:view_assigned_loads}'::text[])
  );
comment on policy select_fleet_staff_or_self on app_public.drivers is E'Admins, dispatchers (org:dispatcher:view_driver_vehicle_status) and compliance see the organization''s drivers; a driver sees their own row.';

drop policy if exists insert_admin on app_public.drivers;
create policy insert_admin on app_public.drivers for insert to authenticated
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy insert_admin on app_public.drivers is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) adds drivers of the active organization.';

drop policy if exists update_admin on app_public.drivers;
create policy update_admin on app_public.drivers for update to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  )
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy update_admin on app_public.drivers is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) changes drivers of the active organization.';

drop policy if exists delete_admin on app_public.drivers;
create policy delete_admin on app_public.drivers for delete to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy delete_admin on app_public.drivers is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) removes drivers of the active organization.';
--! EndIncluded policies/drivers.sql
--! Included policies/ifta_reports.sql
-- Row-level security of app_public.ifta_reports, the reference tenant's IFTA reports. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. Layout: db/CONVENTIONS.md.
select app_private.secure_table('app_public.ifta_reports');

grant select, delete on app_public.ifta_reports to authenticated;
-- Per column: the database keeps the bookkeeping columns (created_at, updated_at, who created the
-- row), and no visitor changes a row's id or organization.
grant insert (id, organization_id, year, quarter, status, total_miles, taxable_miles, total_gallons, tax_due, due_on, filed_at, notes) on app_public.ifta_reports to authenticated;
grant update (year, quarter, status, total_miles, taxable_miles, total_gallons, tax_due, due_on, filed_at, notes) on app_public.ifta_reports to authenticated;

drop policy if exists select_reports on app_public.ifta_reports;
create policy select_reports on app_public.ifta_reports for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:access_all_reports,org:compliance:generate_compliance_req}'::text[]
  );
comment on policy select_reports on app_public.ifta_reports is E'Compliance with org:compliance:generate_compliance_req and admins with org:admin:access_all_reports see the organization''s IFTA reports.';

drop policy if exists insert_reports on app_public.ifta_reports;
create policy insert_reports on app_public.ifta_reports for insert to authenticated
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:access_all_reports,org:compliance:generate_compliance_req}'::text[]
  );
comment on policy insert_reports on app_public.ifta_reports is E'The same compliance and admin permissions create the organization''s IFTA reports.';

drop policy if exists update_reports on app_public.ifta_reports;
create policy update_reports on app_public.ifta_reports for update to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:access_all_reports,org:compliance:generate_compliance_req}'::text[]
  )
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:access_all_reports,org:compliance:generate_compliance_req}'::text[]
  );
comment on policy update_reports on app_public.ifta_reports is E'The same compliance and admin permissions change the organization''s IFTA reports.';

drop policy if exists delete_reports on app_public.ifta_reports;
create policy delete_reports on app_public.ifta_reports for delete to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:access_all_reports,org:compliance:generate_compliance_req}'::text[]
  );
comment on policy delete_reports on app_public.ifta_reports is E'The same compliance and admin permissions remove the organization''s IFTA reports.';
--! EndIncluded policies/ifta_reports.sql
--! Included policies/loads.sql
-- Row-level security of app_public.loads, the reference tenant's loads. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. Layout: db/CONVENTIONS.md.
select app_private.secure_table('app_public.loads');

-- Which columns a driver may change, and who may assign, needs the row before the change:
-- app_private.check_load_change (a BEFORE UPDATE trigger) decides that.
grant select, delete on app_public.loads to authenticated;
-- Per column: the database keeps the bookkeeping columns (created_at, updated_at, who created the
-- row), and no visitor changes a row's id or organization.
grant insert (id, organization_id, load_number, reference_number, status, customer_name, origin_city, origin_state, destination_city, destination_state, pickup_scheduled_at, delivery_scheduled_at, driver_id, vehicle_id, rate, weight_pounds, estimated_miles, picked_up_at, delivered_at, actual_miles, delivery_notes, notes) on app_public.loads to authenticated;
grant update (load_number, reference_number, status, customer_name, origin_city, origin_state, destination_city, destination_state, pickup_scheduled_at, delivery_scheduled_at, driver_id, vehicle_id, rate, weight_pounds, estimated_miles, picked_up_at, delivered_at, actual_miles, delivery_notes, notes) on app_public.loads to authenticated;

drop policy if exists select_dispatch_or_assigned on app_public.loads;
create policy select_dispatch_or_assigned on app_public.loads for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:view_edit_all_loads,org:dispatcher:create_edit_loads,org:dispatcher:access_dispatch_dashboard}'::text[]
         or driver_id = (select app_public.current_driver_id()) and (select app_public.current_permissions()) && '{org:driver:view_assigned_loads}'::text[])
  );
comment on policy select_dispatch_or_assigned on app_public.loads is E'Admins (org:admin:view_edit_all_loads) and dispatchers (org:dispatcher:create_edit_loads or org:dispatcher:access_dispatch_dashboard) see the organization''s loads; a driver with org:driver:view_assigned_loads sees the loads assigned to them.';

drop policy if exists insert_dispatch on app_public.loads;
create policy insert_dispatch on app_public.loads for insert to authenticated
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:view_edit_all_loads,org:dispatcher:create_edit_loads}'::text[]
    and (driver_id is null and vehicle_id is null or (select app_public.current_permissions()) && '{org:admin:view_edit_all_loads,org:dispatcher:assign_drivers}'::text[])
  );
comment on policy insert_dispatch on app_public.loads is E'Admins and dispatchers with org:dispatcher:create_edit_loads create loads in the active organization; one created with a driver or vehicle also needs org:dispatcher:assign_drivers (or the admin permission).';

drop policy if exists update_dispatch_or_assigned on app_public.loads;
create policy update_dispatch_or_assigned on app_public.loads for update to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:view_edit_all_loads,org:dispatcher:create_edit_loads}'::text[]
         or driver_id = (select app_public.current_driver_id()) and (select app_public.current_permissions()) && '{org:driver:update_load_status}'::text[])
  )
  with check (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.current_permissions()) && '{org:admin:view_edit_all_loads,org:dispatcher:create_edit_loads}'::text[]
         or driver_id = (select app_public.current_driver_id()))
  );
comment on policy update_dispatch_or_assigned on app_public.loads is E'Admins and dispatchers with org:dispatcher:create_edit_loads edit the organization''s loads; a driver with org:driver:update_load_status updates their own loads (status and delivery fields only: see check_load_change).';

drop policy if exists delete_admin on app_public.loads;
create policy delete_admin on app_public.loads for delete to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:view_edit_all_loads}'::text[]
  );
comment on policy delete_admin on app_public.loads is E'Only admins (org:admin:view_edit_all_loads) delete loads.';
--! EndIncluded policies/loads.sql
--! Included policies/organization_domains.sql
-- Row-level security of app_public.organization_domains (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_domains');

grant select on app_public.organization_domains to authenticated;

-- Tenants: read-only, domains of the active organization for holders of org:sys_domains:read.
drop policy if exists select_current_org_with_permission on app_public.organization_domains;
create policy select_current_org_with_permission on app_public.organization_domains for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_domains:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_domains is E'Domains of the active organization, for holders of org:sys_domains:read.';
--! EndIncluded policies/organization_domains.sql
--! Included policies/organization_invitations.sql
-- Row-level security of app_public.organization_invitations (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_invitations');

grant select on app_public.organization_invitations to authenticated;

-- Tenants: read-only, invitations of the active organization for holders of org:sys_memberships:read.
drop policy if exists select_current_org_with_permission on app_public.organization_invitations;
create policy select_current_org_with_permission on app_public.organization_invitations for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_memberships:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_invitations is E'Invitations of the active organization, for holders of org:sys_memberships:read.';
--! EndIncluded policies/organization_invitations.sql
--! Included policies/organization_memberships.sql
-- Row-level security of app_public.organization_memberships (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_memberships');

-- Tenants. Read-only.
grant select on app_public.organization_memberships to authenticated;

drop policy if exists select_current_org on app_public.organization_memberships;
create policy select_current_org on app_public.organization_memberships for select to authenticated
  using (organization_id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current_org on app_public.organization_memberships is E'A visitor sees the live memberships (members and their roles) of their active organization.';
--! EndIncluded policies/organization_memberships.sql
--! Included policies/organizations.sql
-- Row-level security of app_public.organizations (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organizations');

-- Tenants. Read-only through the API: Clerk is the source of truth, so visitors get
-- SELECT and nothing else; the file starts from no privileges so it states them completely.
grant select on app_public.organizations to authenticated;

drop policy if exists select_current on app_public.organizations;
create policy select_current on app_public.organizations for select to authenticated
  using (id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current on app_public.organizations is E'A visitor sees the organization active in their session token, unless it is deleted.';
--! EndIncluded policies/organizations.sql
--! Included policies/permissions.sql
-- Row-level security of app_public.permissions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.permissions');

grant select on app_public.permissions to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.permissions;
create policy select_live on app_public.permissions for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.permissions is E'Every signed-in user sees the instance''s live permissions.';
--! EndIncluded policies/permissions.sql
--! Included policies/role_permissions.sql
-- Row-level security of app_public.role_permissions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.role_permissions');

grant select on app_public.role_permissions to authenticated;

-- Tenants: read-only. The sync keeps only links between live roles and live permissions here.
drop policy if exists select_all on app_public.role_permissions;
create policy select_all on app_public.role_permissions for select to authenticated
  using (true);
comment on policy select_all on app_public.role_permissions is E'Every signed-in user sees which permissions each live role grants.';
--! EndIncluded policies/role_permissions.sql
--! Included policies/roles.sql
-- Row-level security of app_public.roles (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.roles');

grant select on app_public.roles to authenticated;

-- Tenants: read-only. Roles and permissions are defined once per Clerk instance, not per
-- organization, and say nothing about anyone: every signed-in user may read the live ones.
drop policy if exists select_live on app_public.roles;
create policy select_live on app_public.roles for select to authenticated
  using (deleted_at is null);
comment on policy select_live on app_public.roles is E'Every signed-in user sees the instance''s live roles.';
--! EndIncluded policies/roles.sql
--! Included policies/sessions.sql
-- Row-level security of app_public.sessions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.sessions');

grant select on app_public.sessions to authenticated;

-- Tenants: read-only, a user's own sessions. Organization admins get no view of their members'
-- sessions: a session belongs to a user across organizations (last_active_organization_id is only
-- where they were last), and its times reveal activity outside the organization.
drop policy if exists select_own on app_public.sessions;
create policy select_own on app_public.sessions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.sessions is E'A user sees their own sessions (every status).';
--! EndIncluded policies/sessions.sql
--! Included policies/users.sql
-- Row-level security of app_public.users (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.users');

-- Tenants. Read-only. Every column here is profile data co-members may see; what is
-- private (private_metadata) lives in app_private.
grant select on app_public.users to authenticated;

drop policy if exists select_self on app_public.users;
drop policy if exists select_member on app_public.users;
-- One policy, and the visible ids as an array: two permissive policies are ORed into
-- `id = me OR id IN (subplan)`, which Postgres can only check row by row (a full scan of users for
-- `select * from users`), while `id = any(array(...))` is an index condition on the primary key.
-- The subquery runs under organization_memberships' own policy (current organization, not deleted).
drop policy if exists select_self_or_member on app_public.users;
create policy select_self_or_member on app_public.users for select to authenticated
  using (
    deleted_at is null
    and id = any (array(
      select app_public.current_user_id()
      union all
      select m.user_id from app_public.organization_memberships m
       where m.organization_id = (select app_public.current_org_id()) and m.deleted_at is null
    ))
  );
comment on policy select_self_or_member on app_public.users is E'A user always sees their own row, with or without an active organization, and the profiles of the members of their active organization.';
--! EndIncluded policies/users.sql
--! Included policies/vehicles.sql
-- Row-level security of app_public.vehicles, the reference tenant's vehicles. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. Layout: db/CONVENTIONS.md.
select app_private.secure_table('app_public.vehicles');

grant select, delete on app_public.vehicles to authenticated;
-- Per column: the database keeps the bookkeeping columns (created_at, updated_at, who created the
-- row), and no visitor changes a row's id or organization.
grant insert (id, organization_id, unit_number, vehicle_type, make, model, model_year, vin, license_plate, license_plate_state, status, odometer_miles, next_inspection_on, registration_expires_on, insurance_expires_on, notes) on app_public.vehicles to authenticated;
grant update (unit_number, vehicle_type, make, model, model_year, vin, license_plate, license_plate_state, status, odometer_miles, next_inspection_on, registration_expires_on, insurance_expires_on, notes) on app_public.vehicles to authenticated;

drop policy if exists select_fleet_staff on app_public.vehicles;
create policy select_fleet_staff on app_public.vehicles for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles,org:dispatcher:view_driver_vehicle_status,org:compliance:view_compliance_dashboard,org:compliance:upload_review_compliance}'::text[]
  );
comment on policy select_fleet_staff on app_public.vehicles is E'Admins, dispatchers (org:dispatcher:view_driver_vehicle_status) and compliance see the organization''s vehicles.';

drop policy if exists insert_admin on app_public.vehicles;
create policy insert_admin on app_public.vehicles for insert to authenticated
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy insert_admin on app_public.vehicles is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) adds vehicles of the active organization.';

drop policy if exists update_admin on app_public.vehicles;
create policy update_admin on app_public.vehicles for update to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  )
  with check (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy update_admin on app_public.vehicles is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) changes vehicles of the active organization.';

drop policy if exists delete_admin on app_public.vehicles;
create policy delete_admin on app_public.vehicles for delete to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select app_public.current_permissions()) && '{org:admin:configure_company_settings,org:admin:manage_users_and_roles}'::text[]
  );
comment on policy delete_admin on app_public.vehicles is E'An admin (org:admin:configure_company_settings or org:admin:manage_users_and_roles) removes vehicles of the active organization.';
--! EndIncluded policies/vehicles.sql
