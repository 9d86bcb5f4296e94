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
