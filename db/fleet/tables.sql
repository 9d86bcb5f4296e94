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

-- Relations read as load.driver, driver.loads, document.load, … rather than the inflector's
-- names for composite keys.
comment on constraint loads_driver_fkey on app_public.loads is E'@fieldName driver\n@foreignFieldName loads';
comment on constraint loads_vehicle_fkey on app_public.loads is E'@fieldName vehicle\n@foreignFieldName loads';
comment on constraint compliance_documents_driver_fkey on app_public.compliance_documents is E'@fieldName driver\n@foreignFieldName complianceDocuments';
comment on constraint compliance_documents_vehicle_fkey on app_public.compliance_documents is E'@fieldName vehicle\n@foreignFieldName complianceDocuments';
comment on constraint compliance_documents_load_fkey on app_public.compliance_documents is E'@fieldName load\n@foreignFieldName complianceDocuments';

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
