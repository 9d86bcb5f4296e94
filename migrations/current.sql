--!include functions/secure_table.sql
-- The fleet tables' owner policy is sync_owner_all now, as on every other table (secure_table).
drop policy if exists owner_all on app_public.compliance_documents;
drop policy if exists owner_all on app_public.drivers;
drop policy if exists owner_all on app_public.ifta_reports;
drop policy if exists owner_all on app_public.loads;
drop policy if exists owner_all on app_public.vehicles;
--!include policies/audit_logs.sql
--!include policies/billing_subscription_items.sql
--!include policies/billing_subscriptions.sql
--!include policies/compliance_documents.sql
--!include policies/drivers.sql
--!include policies/ifta_reports.sql
--!include policies/loads.sql
--!include policies/organization_domains.sql
--!include policies/organization_invitations.sql
--!include policies/organization_memberships.sql
--!include policies/organizations.sql
--!include policies/permissions.sql
--!include policies/role_permissions.sql
--!include policies/roles.sql
--!include policies/sessions.sql
--!include policies/users.sql
--!include policies/vehicles.sql
