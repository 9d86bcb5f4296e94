-- BEFORE UPDATE trigger of app_public.loads: the rules row-level security cannot state, because a
-- policy sees only the new row. A visitor without org:admin:view_edit_all_loads or
-- org:dispatcher:create_edit_loads (a driver, whom the update policy limits to their own loads)
-- may change only the status and delivery fields; changing the driver or vehicle needs
-- org:dispatcher:assign_drivers or the admin permission. A refusal is insufficient_privilege
-- (42501), which the API reports as FORBIDDEN. The owner writing outside a request (no user in the
-- claims) is not a visitor and is not checked.
create or replace function app_private.check_load_change() returns trigger
  language plpgsql
  as $$
declare
  v_permissions text[];
  v_delivery_fields constant text[] := array['status', 'picked_up_at', 'delivered_at', 'actual_miles', 'delivery_notes', 'updated_at'];
begin
  if app_public.current_user_id() is null then
    return new;
  end if;
  v_permissions := app_public.current_permissions();
  if (new.driver_id, new.vehicle_id) is distinct from (old.driver_id, old.vehicle_id)
     and not v_permissions && array['org:admin:view_edit_all_loads', 'org:dispatcher:assign_drivers'] then
    raise exception 'assigning a driver or vehicle needs org:dispatcher:assign_drivers' using errcode = 'insufficient_privilege';
  end if;
  if not v_permissions && array['org:admin:view_edit_all_loads', 'org:dispatcher:create_edit_loads']
     and to_jsonb(new) - v_delivery_fields <> to_jsonb(old) - v_delivery_fields then
    raise exception 'a driver may change only the status and delivery fields of a load' using errcode = 'insufficient_privilege';
  end if;
  return new;
end
$$;

comment on function app_private.check_load_change() is E'Trigger: refuses (42501) a load change outside the visitor''s permissions: assignment without org:dispatcher:assign_drivers, or any field but status and delivery fields without the load-editing permissions.';
