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
