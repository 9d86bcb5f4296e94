--! Previous: sha1:4620ad1ed4dd3b927d0c16ee59d18667b58d2628
--! Hash: sha1:c11a57c885b972bd30c65b848fd305cf89bc0bed
--! Message: Reference tenant: fleet tables, policies and mutations (drivers, vehicles, loads, compliance documents, IFTA reports)

-- The reference tenant (a fleet-management app): its tables, policies and helpers. Nothing above
-- or in the sync depends on them.
--! Included functions/check_load_change.sql
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
--! EndIncluded functions/check_load_change.sql
--! Included fleet/tables.sql
-- The reference tenant's own data (a fleet-management app): drivers, vehicles, loads, compliance
-- documents and IFTA fuel-tax reports, each owned by one Clerk organization. Written by visitors
-- through GraphQL under the policies in db/policies/<table>.sql; nothing in the Clerk sync depends
-- on these tables, so an application replaces them with its own.
-- Idempotent: every statement can run again on a database that already has it.

do $$
begin
  create type app_public.driver_status as enum ('active', 'inactive', 'on_leave', 'suspended', 'terminated');
exception when duplicate_object then null;
end
$$;
comment on type app_public.driver_status is E'Whether a driver may be dispatched: active, inactive, on_leave, suspended or terminated.';

do $$
begin
  create type app_public.vehicle_status as enum ('active', 'maintenance', 'out_of_service', 'decommissioned');
exception when duplicate_object then null;
end
$$;
comment on type app_public.vehicle_status is E'Whether a vehicle may be dispatched: active, maintenance, out_of_service or decommissioned.';

do $$
begin
  create type app_public.load_status as enum ('pending', 'assigned', 'in_transit', 'delivered', 'cancelled');
exception when duplicate_object then null;
end
$$;
comment on type app_public.load_status is E'Where a load stands: pending (booked, no driver), assigned, in_transit, delivered or cancelled.';

do $$
begin
  create type app_public.compliance_document_status as enum ('pending', 'verified', 'rejected');
exception when duplicate_object then null;
end
$$;
comment on type app_public.compliance_document_status is E'Review state of a compliance document: pending (uploaded), verified or rejected by compliance.';

do $$
begin
  create type app_public.ifta_report_status as enum ('draft', 'filed', 'amended');
exception when duplicate_object then null;
end
$$;
comment on type app_public.ifta_report_status is E'State of an IFTA report: draft, filed with the base jurisdiction, or amended after filing.';

-- Drivers -------------------------------------------------------------------------------------
create table if not exists app_public.drivers (
  id uuid primary key default gen_random_uuid(),
  organization_id text not null default app_public.current_org_id(),
  user_id text,
  first_name text not null check (btrim(first_name) <> ''),
  last_name text not null check (btrim(last_name) <> ''),
  email text,
  phone text,
  license_number text,
  license_state text check (license_state ~ '^[A-Z]{2}$'),
  license_class text,
  license_expires_on date,
  medical_card_expires_on date,
  hired_on date,
  status app_public.driver_status not null default 'active',
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The target of the loads' and documents' (organization_id, driver_id) foreign keys.
  constraint drivers_organization_id_id_key unique (organization_id, id),
  constraint drivers_organization_id_user_id_key unique (organization_id, user_id)
);
create index if not exists drivers_user_id_idx on app_public.drivers (user_id);
comment on table app_public.drivers is E'@behavior +insert +update +delete\nThe organization''s drivers. A driver who signs in is linked to their Clerk user (user_id) and then sees their own row and their assigned loads.';
comment on column app_public.drivers.id is E'Stable id of the driver.';
comment on column app_public.drivers.organization_id is E'The owning Clerk organization; defaults to the session''s active organization and cannot change.';
comment on column app_public.drivers.user_id is E'The Clerk user (user_…) who signs in as this driver; null for drivers without an account. One driver per user and organization.';
comment on column app_public.drivers.first_name is E'First name.';
comment on column app_public.drivers.last_name is E'Last name.';
comment on column app_public.drivers.email is E'Contact email.';
comment on column app_public.drivers.phone is E'Contact phone.';
comment on column app_public.drivers.license_number is E'Commercial driver''s license (CDL) number.';
comment on column app_public.drivers.license_state is E'Two-letter state or province code that issued the license.';
comment on column app_public.drivers.license_class is E'License class (A, B, C).';
comment on column app_public.drivers.license_expires_on is E'When the license expires.';
comment on column app_public.drivers.medical_card_expires_on is E'When the DOT medical examiner''s certificate expires.';
comment on column app_public.drivers.hired_on is E'Hire date.';
comment on column app_public.drivers.status is E'Whether the driver may be dispatched.';
comment on column app_public.drivers.notes is E'Free-form notes.';
comment on column app_public.drivers.created_at is E'When the row was created.';
comment on column app_public.drivers.updated_at is E'When the row last changed.';

-- Vehicles ------------------------------------------------------------------------------------
create table if not exists app_public.vehicles (
  id uuid primary key default gen_random_uuid(),
  organization_id text not null default app_public.current_org_id(),
  unit_number text not null check (btrim(unit_number) <> ''),
  vehicle_type text not null default 'tractor',
  make text,
  model text,
  model_year integer check (model_year between 1900 and 2100),
  vin text check (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
  license_plate text,
  license_plate_state text check (license_plate_state ~ '^[A-Z]{2}$'),
  status app_public.vehicle_status not null default 'active',
  odometer_miles integer check (odometer_miles >= 0),
  next_inspection_on date,
  registration_expires_on date,
  insurance_expires_on date,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint vehicles_organization_id_id_key unique (organization_id, id),
  constraint vehicles_organization_id_unit_number_key unique (organization_id, unit_number)
);
comment on table app_public.vehicles is E'@behavior +insert +update +delete\nThe organization''s trucks and trailers.';
comment on column app_public.vehicles.id is E'Stable id of the vehicle.';
comment on column app_public.vehicles.organization_id is E'The owning Clerk organization; defaults to the session''s active organization and cannot change.';
comment on column app_public.vehicles.unit_number is E'The fleet''s own number for the unit, unique in the organization.';
comment on column app_public.vehicles.vehicle_type is E'tractor, trailer, straight truck, …';
comment on column app_public.vehicles.make is E'Manufacturer.';
comment on column app_public.vehicles.model is E'Model.';
comment on column app_public.vehicles.model_year is E'Model year.';
comment on column app_public.vehicles.vin is E'Vehicle identification number (17 characters, no I, O or Q).';
comment on column app_public.vehicles.license_plate is E'License plate.';
comment on column app_public.vehicles.license_plate_state is E'Two-letter code of the plate''s state or province.';
comment on column app_public.vehicles.status is E'Whether the vehicle may be dispatched.';
comment on column app_public.vehicles.odometer_miles is E'Last recorded odometer reading, in whole miles.';
comment on column app_public.vehicles.next_inspection_on is E'When the next periodic inspection is due.';
comment on column app_public.vehicles.registration_expires_on is E'When the registration expires.';
comment on column app_public.vehicles.insurance_expires_on is E'When the insurance expires.';
comment on column app_public.vehicles.notes is E'Free-form notes.';
comment on column app_public.vehicles.created_at is E'When the row was created.';
comment on column app_public.vehicles.updated_at is E'When the row last changed.';

-- Loads ---------------------------------------------------------------------------------------
create table if not exists app_public.loads (
  id uuid primary key default gen_random_uuid(),
  organization_id text not null default app_public.current_org_id(),
  load_number text not null check (btrim(load_number) <> ''),
  reference_number text,
  status app_public.load_status not null default 'pending',
  customer_name text not null,
  origin_city text not null,
  origin_state text not null,
  destination_city text not null,
  destination_state text not null,
  pickup_scheduled_at timestamptz,
  delivery_scheduled_at timestamptz,
  driver_id uuid,
  vehicle_id uuid,
  rate numeric(12, 2) check (rate >= 0),
  weight_pounds integer check (weight_pounds >= 0),
  estimated_miles integer check (estimated_miles >= 0),
  picked_up_at timestamptz,
  delivered_at timestamptz,
  actual_miles integer check (actual_miles >= 0),
  delivery_notes text,
  notes text,
  created_by text default app_public.current_user_id(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint loads_organization_id_id_key unique (organization_id, id),
  constraint loads_organization_id_load_number_key unique (organization_id, load_number),
  -- A load's driver and vehicle belong to its own organization: the foreign keys include it.
  constraint loads_driver_fkey foreign key (organization_id, driver_id) references app_public.drivers (organization_id, id) on delete restrict,
  constraint loads_vehicle_fkey foreign key (organization_id, vehicle_id) references app_public.vehicles (organization_id, id) on delete restrict
);
create index if not exists loads_organization_id_idx on app_public.loads (organization_id, delivery_scheduled_at);
create index if not exists loads_driver_id_idx on app_public.loads (driver_id);
create index if not exists loads_vehicle_id_idx on app_public.loads (vehicle_id);
comment on table app_public.loads is E'@behavior +insert +update +delete\nFreight the organization moves: customer, route, schedule, the assigned driver and vehicle, and the delivery as the driver reports it.';
comment on column app_public.loads.id is E'Stable id of the load.';
comment on column app_public.loads.organization_id is E'The owning Clerk organization; defaults to the session''s active organization and cannot change.';
comment on column app_public.loads.load_number is E'The load''s number, unique in the organization.';
comment on column app_public.loads.reference_number is E'The customer''s reference (PO, BOL number).';
comment on column app_public.loads.status is E'Where the load stands; the assigned driver may move it along.';
comment on column app_public.loads.customer_name is E'Who pays for the load.';
comment on column app_public.loads.origin_city is E'Pickup city.';
comment on column app_public.loads.origin_state is E'Pickup state or province.';
comment on column app_public.loads.destination_city is E'Delivery city.';
comment on column app_public.loads.destination_state is E'Delivery state or province.';
comment on column app_public.loads.pickup_scheduled_at is E'Planned pickup time.';
comment on column app_public.loads.delivery_scheduled_at is E'Planned delivery time.';
comment on column app_public.loads.driver_id is E'The assigned driver, of the same organization; setting it needs org:dispatcher:assign_drivers or org:admin:view_edit_all_loads.';
comment on column app_public.loads.vehicle_id is E'The assigned vehicle, of the same organization; same permission as driver_id.';
comment on column app_public.loads.rate is E'Agreed rate, in the organization''s currency.';
comment on column app_public.loads.weight_pounds is E'Weight in pounds.';
comment on column app_public.loads.estimated_miles is E'Planned distance in whole miles.';
comment on column app_public.loads.picked_up_at is E'When the driver picked the load up; null until then.';
comment on column app_public.loads.delivered_at is E'When the driver delivered the load; null until delivered (a new load cannot know it).';
comment on column app_public.loads.actual_miles is E'Distance driven, as the driver reports it.';
comment on column app_public.loads.delivery_notes is E'The driver''s notes on pickup and delivery.';
comment on column app_public.loads.notes is E'Dispatch notes.';
comment on column app_public.loads.created_by is E'The Clerk user who created the load.';
comment on column app_public.loads.created_at is E'When the row was created.';
comment on column app_public.loads.updated_at is E'When the row last changed.';

-- Compliance documents ------------------------------------------------------------------------
create table if not exists app_public.compliance_documents (
  id uuid primary key default gen_random_uuid(),
  organization_id text not null default app_public.current_org_id(),
  document_type text not null check (btrim(document_type) <> ''),
  title text not null check (btrim(title) <> ''),
  driver_id uuid,
  vehicle_id uuid,
  load_id uuid,
  document_number text,
  file_url text,
  issued_on date,
  expires_on date,
  status app_public.compliance_document_status not null default 'pending',
  verified_by text,
  verified_at timestamptz,
  uploaded_by text default app_public.current_user_id(),
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint compliance_documents_driver_fkey foreign key (organization_id, driver_id) references app_public.drivers (organization_id, id) on delete restrict,
  constraint compliance_documents_vehicle_fkey foreign key (organization_id, vehicle_id) references app_public.vehicles (organization_id, id) on delete restrict,
  constraint compliance_documents_load_fkey foreign key (organization_id, load_id) references app_public.loads (organization_id, id) on delete restrict
);
create index if not exists compliance_documents_organization_id_idx on app_public.compliance_documents (organization_id, expires_on);
create index if not exists compliance_documents_driver_id_idx on app_public.compliance_documents (driver_id);
create index if not exists compliance_documents_vehicle_id_idx on app_public.compliance_documents (vehicle_id);
create index if not exists compliance_documents_load_id_idx on app_public.compliance_documents (load_id);
comment on table app_public.compliance_documents is E'@behavior +insert +update +delete\nLicenses, medical cards, inspections, bills of lading: uploaded by compliance or by a driver for themselves or their loads, verified by compliance.';
comment on column app_public.compliance_documents.id is E'Stable id of the document.';
comment on column app_public.compliance_documents.organization_id is E'The owning Clerk organization; defaults to the session''s active organization and cannot change.';
comment on column app_public.compliance_documents.document_type is E'cdl, medical_card, inspection, registration, insurance, bill_of_lading, proof_of_delivery, …';
comment on column app_public.compliance_documents.title is E'Display title.';
comment on column app_public.compliance_documents.driver_id is E'The driver the document is about, of the same organization.';
comment on column app_public.compliance_documents.vehicle_id is E'The vehicle the document is about, of the same organization.';
comment on column app_public.compliance_documents.load_id is E'The load the document belongs to, of the same organization.';
comment on column app_public.compliance_documents.document_number is E'Number printed on the document.';
comment on column app_public.compliance_documents.file_url is E'Where the file is stored.';
comment on column app_public.compliance_documents.issued_on is E'Issue date.';
comment on column app_public.compliance_documents.expires_on is E'Expiry date; null when it does not expire.';
comment on column app_public.compliance_documents.status is E'Review state; only compliance (or an admin) sets it past pending.';
comment on column app_public.compliance_documents.verified_by is E'The Clerk user who verified or rejected it; null until reviewed.';
comment on column app_public.compliance_documents.verified_at is E'When it was verified or rejected; null until reviewed (a new document cannot know it).';
comment on column app_public.compliance_documents.uploaded_by is E'The Clerk user who uploaded it.';
comment on column app_public.compliance_documents.notes is E'Reviewer notes.';
comment on column app_public.compliance_documents.created_at is E'When the row was created.';
comment on column app_public.compliance_documents.updated_at is E'When the row last changed.';

-- IFTA reports --------------------------------------------------------------------------------
create table if not exists app_public.ifta_reports (
  id uuid primary key default gen_random_uuid(),
  organization_id text not null default app_public.current_org_id(),
  year integer not null check (year between 2000 and 2100),
  quarter integer not null check (quarter between 1 and 4),
  status app_public.ifta_report_status not null default 'draft',
  total_miles integer check (total_miles >= 0),
  taxable_miles integer check (taxable_miles >= 0),
  total_gallons numeric(12, 3) check (total_gallons >= 0),
  tax_due numeric(12, 2),
  due_on date,
  filed_at timestamptz,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint ifta_reports_organization_id_period_key unique (organization_id, year, quarter)
);
comment on table app_public.ifta_reports is E'@behavior +insert +update +delete\nQuarterly International Fuel Tax Agreement reports: miles and fuel per quarter and the tax they come to.';
comment on column app_public.ifta_reports.id is E'Stable id of the report.';
comment on column app_public.ifta_reports.organization_id is E'The owning Clerk organization; defaults to the session''s active organization and cannot change.';
comment on column app_public.ifta_reports.year is E'Reporting year.';
comment on column app_public.ifta_reports.quarter is E'Reporting quarter, 1 to 4.';
comment on column app_public.ifta_reports.status is E'draft, filed or amended.';
comment on column app_public.ifta_reports.total_miles is E'Miles driven in every jurisdiction, in whole miles.';
comment on column app_public.ifta_reports.taxable_miles is E'Taxable miles, in whole miles.';
comment on column app_public.ifta_reports.total_gallons is E'Fuel bought in the quarter, in gallons.';
comment on column app_public.ifta_reports.tax_due is E'Net tax due (negative: a credit).';
comment on column app_public.ifta_reports.due_on is E'Filing deadline.';
comment on column app_public.ifta_reports.filed_at is E'When it was filed; null while a draft (a new report cannot know it).';
comment on column app_public.ifta_reports.notes is E'Free-form notes.';
comment on column app_public.ifta_reports.created_at is E'When the row was created.';
comment on column app_public.ifta_reports.updated_at is E'When the row last changed.';

-- Natural keys stay constraints, not GraphQL lookups or mutation keys: rows are addressed by id.
comment on constraint drivers_organization_id_id_key on app_public.drivers is E'@behavior -*';
comment on constraint drivers_organization_id_user_id_key on app_public.drivers is E'@behavior -*';
comment on constraint vehicles_organization_id_id_key on app_public.vehicles is E'@behavior -*';
comment on constraint vehicles_organization_id_unit_number_key on app_public.vehicles is E'@behavior -*';
comment on constraint loads_organization_id_id_key on app_public.loads is E'@behavior -*';
comment on constraint loads_organization_id_load_number_key on app_public.loads is E'@behavior -*';
comment on constraint ifta_reports_organization_id_period_key on app_public.ifta_reports is E'@behavior -*';

-- Triggers: updated_at, the load rules a policy cannot express, and the audit trail -------------
do $$
declare
  v_table text;
begin
  foreach v_table in array array['drivers', 'vehicles', 'loads', 'compliance_documents', 'ifta_reports'] loop
    execute format('drop trigger if exists _100_touch_updated_at on app_public.%I', v_table);
    execute format('create trigger _100_touch_updated_at before update on app_public.%I for each row execute function app_private.touch_updated_at()', v_table);
    execute format('drop trigger if exists _800_refuse_unmatched_update on app_public.%I', v_table);
    execute format('create trigger _800_refuse_unmatched_update after update on app_public.%I referencing new table as changed_rows for each statement execute function app_private.refuse_unmatched_write()', v_table);
    execute format('drop trigger if exists _800_refuse_unmatched_delete on app_public.%I', v_table);
    execute format('create trigger _800_refuse_unmatched_delete after delete on app_public.%I referencing old table as changed_rows for each statement execute function app_private.refuse_unmatched_write()', v_table);
    execute format('drop trigger if exists _900_audit on app_public.%I', v_table);
    execute format('create trigger _900_audit after insert or update or delete on app_public.%I for each row execute function app_private.audit_tenant_change()', v_table);
  end loop;
end
$$;
drop trigger if exists _200_check_change on app_public.loads;
create trigger _200_check_change before update on app_public.loads for each row execute function app_private.check_load_change();
--! EndIncluded fleet/tables.sql
--! Included functions/current_driver_id.sql
-- The driver row of the signed-in user in the active organization, for the policies that let a
-- driver see and report on their own loads. SECURITY DEFINER so it reads drivers without going
-- through (and recursing into) the drivers policies; the unique (organization_id, user_id)
-- index makes it one index lookup.
create or replace function app_public.current_driver_id() returns uuid
  language sql stable security definer parallel safe
  set search_path = pg_catalog
  as $$
    select d.id from app_public.drivers d
     where d.user_id = app_public.current_user_id() and d.organization_id = app_public.current_org_id()
  $$;

comment on function app_public.current_driver_id() is E'The id of the visitor''s own driver row in the active organization; null when they are not a driver there.';
revoke all on function app_public.current_driver_id() from public;
grant execute on function app_public.current_driver_id() to authenticated, anonymous;
--! EndIncluded functions/current_driver_id.sql
--! Included functions/organizations_mc_number.sql
-- Computed column organizations.mcNumber (GraphQL `mcNumber`): Clerk keeps it in the organization's
-- public_metadata, which the sync stores as sent; this reads it where it lies.
create or replace function app_public.organizations_mc_number(organization app_public.organizations) returns text
  language sql stable parallel safe
  as $$ select nullif(btrim(organization.public_metadata ->> 'mcNumber'), '') $$;

comment on function app_public.organizations_mc_number(app_public.organizations) is E'The organization''s `mcNumber` from its Clerk public metadata; null when not set.';
grant execute on function app_public.organizations_mc_number(app_public.organizations) to authenticated;
--! EndIncluded functions/organizations_mc_number.sql
--! Included functions/organizations_dot_number.sql
-- Computed column organizations.dotNumber (GraphQL `dotNumber`): Clerk keeps it in the organization's
-- public_metadata, which the sync stores as sent; this reads it where it lies.
create or replace function app_public.organizations_dot_number(organization app_public.organizations) returns text
  language sql stable parallel safe
  as $$ select nullif(btrim(organization.public_metadata ->> 'dotNumber'), '') $$;

comment on function app_public.organizations_dot_number(app_public.organizations) is E'The organization''s `dotNumber` from its Clerk public metadata; null when not set.';
grant execute on function app_public.organizations_dot_number(app_public.organizations) to authenticated;
--! EndIncluded functions/organizations_dot_number.sql
--! Included functions/organizations_company_name.sql
-- Computed column organizations.companyName (GraphQL `companyName`): Clerk keeps it in the organization's
-- public_metadata, which the sync stores as sent; this reads it where it lies.
create or replace function app_public.organizations_company_name(organization app_public.organizations) returns text
  language sql stable parallel safe
  as $$ select nullif(btrim(organization.public_metadata ->> 'companyName'), '') $$;

comment on function app_public.organizations_company_name(app_public.organizations) is E'The organization''s `companyName` from its Clerk public metadata; null when not set.';
grant execute on function app_public.organizations_company_name(app_public.organizations) to authenticated;
--! EndIncluded functions/organizations_company_name.sql
--! Included policies/drivers.sql
-- Row-level security of app_public.drivers, the reference tenant's drivers. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. The owner (migrations, maintenance) keeps full access under forced RLS.
alter table app_public.drivers enable row level security;
alter table app_public.drivers force row level security;

drop policy if exists owner_all on app_public.drivers;
create policy owner_all on app_public.drivers for all to current_user using (true) with check (true);
comment on policy owner_all on app_public.drivers is E'The owner (migrations, maintenance outside a request) reads and writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.drivers from authenticated, anonymous;
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
--! Included policies/vehicles.sql
-- Row-level security of app_public.vehicles, the reference tenant's vehicles. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. The owner (migrations, maintenance) keeps full access under forced RLS.
alter table app_public.vehicles enable row level security;
alter table app_public.vehicles force row level security;

drop policy if exists owner_all on app_public.vehicles;
create policy owner_all on app_public.vehicles for all to current_user using (true) with check (true);
comment on policy owner_all on app_public.vehicles is E'The owner (migrations, maintenance outside a request) reads and writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.vehicles from authenticated, anonymous;
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
--! Included policies/loads.sql
-- Row-level security of app_public.loads, the reference tenant's loads. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. The owner (migrations, maintenance) keeps full access under forced RLS.
alter table app_public.loads enable row level security;
alter table app_public.loads force row level security;

drop policy if exists owner_all on app_public.loads;
create policy owner_all on app_public.loads for all to current_user using (true) with check (true);
comment on policy owner_all on app_public.loads is E'The owner (migrations, maintenance outside a request) reads and writes every row; forced RLS would otherwise block it too.';

-- Which columns a driver may change, and who may assign, needs the row before the change:
-- app_private.check_load_change (a BEFORE UPDATE trigger) decides that.
revoke all on app_public.loads from authenticated, anonymous;
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
--! Included policies/compliance_documents.sql
-- Row-level security of app_public.compliance_documents, the reference tenant's compliance documents. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. The owner (migrations, maintenance) keeps full access under forced RLS.
alter table app_public.compliance_documents enable row level security;
alter table app_public.compliance_documents force row level security;

drop policy if exists owner_all on app_public.compliance_documents;
create policy owner_all on app_public.compliance_documents for all to current_user using (true) with check (true);
comment on policy owner_all on app_public.compliance_documents is E'The owner (migrations, maintenance outside a request) reads and writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.compliance_documents from authenticated, anonymous;
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
--! Included policies/ifta_reports.sql
-- Row-level security of app_public.ifta_reports, the reference tenant's IFTA reports. Visitors write it through
-- GraphQL; every permission below is read with (select app_public.current_permissions()), which is
-- fresher than the token (a removed or demoted member loses it when the webhook commits) and runs
-- once per statement. The owner (migrations, maintenance) keeps full access under forced RLS.
alter table app_public.ifta_reports enable row level security;
alter table app_public.ifta_reports force row level security;

drop policy if exists owner_all on app_public.ifta_reports;
create policy owner_all on app_public.ifta_reports for all to current_user using (true) with check (true);
comment on policy owner_all on app_public.ifta_reports is E'The owner (migrations, maintenance outside a request) reads and writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.ifta_reports from authenticated, anonymous;
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
