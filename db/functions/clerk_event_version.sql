create or replace function app_private.clerk_event_version(event app_private.clerk_event) returns timestamptz
language sql immutable parallel safe as $$
  select coalesce(app_private.clerk_time(event.data -> 'updated_at'), event.occurred_at)
$$;
comment on function app_private.clerk_event_version(app_private.clerk_event) is E'The version of the full object an event carries: its updated_at, or the event time when the object has none. Versions not newer than the stored one are stale.';
