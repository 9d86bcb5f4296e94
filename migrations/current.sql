-- Access is fresher than the token: one helper (current_access) checks the token against the
-- synced membership, and every permission check goes through it.
create index if not exists organization_memberships_user_id_organization_id_idx
  on app_public.organization_memberships (user_id, organization_id);
--!include functions/permissions_in_claims.sql
--!include functions/current_access.sql
--!include functions/current_permissions.sql
--!include functions/has_permission.sql

-- Tables visitors write: audited with the acting user (such changes have no delivery), their
-- updated_at kept by the database, and an update or delete that matched nothing refused.
alter table app_public.audit_logs add column if not exists actor_id text;
alter table app_public.audit_logs alter column svix_id drop not null;
alter table app_public.audit_logs alter column event_type drop not null;
comment on column app_public.audit_logs.actor_id is E'The Clerk user whose request made the change (current_user_id()), for changes visitors make to tenant data; null for changes made by the Clerk sync.';
comment on column app_public.audit_logs.svix_id is E'The delivery (svix-id, or payload hash for deliveries without one) that made the change; null for a change a visitor made (see actor_id).';
comment on column app_public.audit_logs.event_type is E'Clerk event type, e.g. organizationMembership.updated; null for a change a visitor made.';
comment on table app_public.audit_logs is E'One row per change to a synced row (by the Clerk sync, with the delivery that caused it) or to tenant data (by a visitor, with actor_id), with what changed.';
create index if not exists audit_logs_actor_id_idx on app_public.audit_logs (actor_id) where actor_id is not null;
--!include functions/touch_updated_at.sql
--!include functions/refuse_unmatched_write.sql
--!include functions/audit_tenant_change.sql

-- The reference tenant (a fleet-management app): its tables, policies and helpers. Nothing above
-- or in the sync depends on them.
--!include functions/check_load_change.sql
--!include fleet/tables.sql
--!include functions/current_driver_id.sql
--!include functions/organizations_mc_number.sql
--!include functions/organizations_dot_number.sql
--!include functions/organizations_company_name.sql
--!include policies/drivers.sql
--!include policies/vehicles.sql
--!include policies/loads.sql
--!include policies/compliance_documents.sql
--!include policies/ifta_reports.sql
