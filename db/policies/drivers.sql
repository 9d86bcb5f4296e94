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
