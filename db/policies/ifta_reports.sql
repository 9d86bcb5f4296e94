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
