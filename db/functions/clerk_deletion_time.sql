-- Tombstones carry no updated_at, and organizationMembership.deleted repeats the last one
-- (sometimes an older one): a deletion takes effect at the later of updated_at and event time.
create or replace function app_private.clerk_deletion_time(event app_private.clerk_event) returns timestamptz
language sql immutable parallel safe as $$
  select greatest(app_private.clerk_time(event.data -> 'updated_at'), event.occurred_at)
$$;
comment on function app_private.clerk_deletion_time(app_private.clerk_event) is E'When a deletion event takes effect: the later of the object''s updated_at (if any) and the event time (envelope timestamp, else receive time).';
