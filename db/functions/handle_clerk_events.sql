-- Many events in one call, for the backfill: one round trip and one plan per batch. Each event
-- goes through handle_clerk_event itself, so ordering, exactly-once, outcomes and a failed
-- event's own ledger row are exactly those of a single delivery.
create or replace function app_private.handle_clerk_events(payloads jsonb[], svix_ids text[], source text default 'webhook') returns setof jsonb
language plpgsql volatile as $$
declare
  v_index integer;
begin
  if cardinality(payloads) is distinct from cardinality(svix_ids) then
    raise exception 'handle_clerk_events needs one svix-id (or null) per payload' using errcode = '22023';
  end if;
  for v_index in 1 .. coalesce(cardinality(payloads), 0) loop
    return next app_private.handle_clerk_event(payloads[v_index], svix_ids[v_index], source);
  end loop;
end;
$$;
revoke all on function app_private.handle_clerk_events(jsonb[], text[], text) from public;
comment on function app_private.handle_clerk_events(jsonb[], text[], text) is E'Applies events in the order given, each exactly as app_private.handle_clerk_event applies one (svix_ids[i] keys payloads[i]; a null key hashes the payload), in the caller''s transaction, and returns their result objects in the same order. For the backfill, which connects as the owner: not granted to the webhook role.';
