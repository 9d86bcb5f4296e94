-- What the benchmarks compare the product against. Created by the benchmark in its own throwaway
-- database, in a schema of its own: never part of the product's migrations.
drop schema if exists bench cascade;
create schema bench;
comment on schema bench is E'Baselines of the benchmarks: minimal tables and functions doing the least work durable ingest can do.';

create table bench.users (
  id text primary key,
  email text,
  first_name text,
  last_name text,
  username text,
  image_url text,
  public_metadata jsonb not null default '{}',
  onboarding_complete boolean not null default false,
  role text,
  banned boolean not null default false,
  locked boolean not null default false,
  last_sign_in_at timestamptz,
  last_active_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  synced_at timestamptz not null default now()
);
comment on table bench.users is E'A user table of the same width as the product''s, without ordering guards or soft delete.';

create table bench.audit_logs (
  id bigint generated always as identity primary key,
  organization_id text,
  entity_kind text not null,
  entity_id text not null,
  action text not null,
  changes jsonb,
  svix_id text,
  event_type text,
  client_ip text,
  user_agent text,
  occurred_at timestamptz,
  recorded_at timestamptz not null default now()
);
create index on bench.audit_logs (organization_id, occurred_at desc);
create index on bench.audit_logs (entity_kind, entity_id);
comment on table bench.audit_logs is E'One row per change, as the product writes, without organization scoping.';

create table bench.webhook_events (
  svix_id text primary key,
  event_type text not null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  outcome text,
  attempts int not null default 1
);
comment on table bench.webhook_events is E'The ledger of the conventional handler baseline.';

create or replace function bench.bare_ingest(payload jsonb, svix_id text) returns jsonb
  language sql volatile security definer set search_path = pg_catalog, bench as $$
  with upserted as (
    insert into bench.users as u (id, email, first_name, last_name, username, image_url, public_metadata, onboarding_complete, role,
                                  banned, locked, last_sign_in_at, last_active_at, created_at, updated_at)
    select d->>'id',
           (select e->>'email_address' from jsonb_array_elements(d->'email_addresses') e where e->>'id' = d->>'primary_email_address_id'),
           d->>'first_name', d->>'last_name', d->>'username', d->>'image_url', coalesce(d->'public_metadata', '{}'),
           coalesce((d#>>'{public_metadata,onboardingComplete}')::boolean, false), d#>>'{public_metadata,role}',
           coalesce((d->>'banned')::boolean, false), coalesce((d->>'locked')::boolean, false),
           to_timestamp((d->>'last_sign_in_at')::bigint / 1000.0), to_timestamp((d->>'last_active_at')::bigint / 1000.0),
           to_timestamp((d->>'created_at')::bigint / 1000.0), to_timestamp((d->>'updated_at')::bigint / 1000.0)
      from (select payload->'data' as d) as source
    on conflict (id) do update set
      email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
      username = excluded.username, image_url = excluded.image_url, public_metadata = excluded.public_metadata,
      onboarding_complete = excluded.onboarding_complete, role = excluded.role, banned = excluded.banned,
      locked = excluded.locked, last_sign_in_at = excluded.last_sign_in_at, last_active_at = excluded.last_active_at,
      updated_at = excluded.updated_at, synced_at = now()
    returning u.*
  )
  insert into bench.audit_logs (entity_kind, entity_id, action, changes, svix_id, event_type, client_ip, user_agent, occurred_at)
  select 'user', upserted.id, 'upsert', to_jsonb(upserted), bare_ingest.svix_id, payload->>'type',
         payload#>>'{event_attributes,http_request,client_ip}', payload#>>'{event_attributes,http_request,user_agent}',
         to_timestamp((payload->>'timestamp')::bigint / 1000.0)
    from upserted
  returning jsonb_build_object('status', 'processed');
$$;
comment on function bench.bare_ingest(jsonb, text) is
  E'The cost floor of durable ingest: one round trip that upserts the user and inserts one audit row (no ledger, no ordering guard, no diff).';

grant usage on schema bench to clerk_webhook;
grant execute on function bench.bare_ingest(jsonb, text) to clerk_webhook;

-- (a+) the floor of the same durable writes as the product: the bare function plus one insert of
-- the full payload into a table shaped like the ledger (same columns, defaults, checks and
-- indexes), in the same round trip.
create table bench.ledger (like app_private.webhook_events including all);
comment on table bench.ledger is E'A copy of the shape of app_private.webhook_events (columns, defaults, checks, indexes), written by bench.bare_ingest_with_ledger.';

create or replace function bench.bare_ingest_with_ledger(payload jsonb, svix_id text) returns jsonb
  language sql volatile security definer set search_path = pg_catalog, bench as $$
  with recorded as (
    insert into bench.ledger (svix_id, event_type, object_id, organization_id, payload, source, outcome, occurred_at, processed_at)
    values (bare_ingest_with_ledger.svix_id, payload->>'type', payload#>>'{data,id}', null, payload, 'webhook', 'processed',
            to_timestamp((payload->>'timestamp')::bigint / 1000.0), clock_timestamp())
    returning 1
  )
  select bench.bare_ingest(payload, svix_id) from recorded
$$;
comment on function bench.bare_ingest_with_ledger(jsonb, text) is
  E'The floor of the product''s durable writes: bench.bare_ingest (upsert + audit row) plus one ledger-shaped insert of the full payload, in one round trip.';
grant execute on function bench.bare_ingest_with_ledger(jsonb, text) to clerk_webhook;
