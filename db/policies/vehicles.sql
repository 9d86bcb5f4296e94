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
