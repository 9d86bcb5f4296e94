--! Previous: sha1:51b97ecfe80f439ce0957771d4ddb763bf98a24f
--! Hash: sha1:6b3d5e9d833c9ce48b456d25bda78587ad6eaec0
--! Message: Drift sentinel records new shapes without waiting on other transactions

--! Included functions/observe_payload_shape.sql
-- The drift sentinel: remembers which top-level `data` keys each event type has carried, and warns
-- (RAISE WARNING, which the receiver logs and counts) when a key appears that no earlier delivery
-- of the type had, or when a key every earlier shape had is missing. Most deliveries repeat a known
-- shape: they cost one primary-key lookup and write nothing; last_seen moves at most hourly.
create or replace function app_private.observe_payload_shape(event_type text, data jsonb) returns void
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_keys text[];
  v_last_seen timestamptz;
  v_known_shapes int;
  v_added text[];
  v_missing text[];
begin
  if observe_payload_shape.event_type is null or jsonb_typeof(observe_payload_shape.data) is distinct from 'object' then
    return;
  end if;
  v_keys := array(select k from jsonb_object_keys(observe_payload_shape.data) as k order by k);

  select s.last_seen into v_last_seen
    from app_private.payload_shapes s
   where s.event_type = observe_payload_shape.event_type and s.keys = v_keys;
  if found then
    if v_last_seen < now() - interval '1 hour'
       and pg_try_advisory_xact_lock(hashtextextended('clerk payload shape ' || observe_payload_shape.event_type, 0)) then
      update app_private.payload_shapes s set last_seen = now()
       where s.event_type = observe_payload_shape.event_type and s.keys = v_keys;
      update app_private.payload_keys k set last_seen = now()
       where k.event_type = observe_payload_shape.event_type and k.key = any(v_keys);
    end if;
    return;
  end if;

  -- A shape not seen before. One transaction at a time records new shapes of a type; any other
  -- skips rather than waits (the shape comes again), so no delivery ever queues or deadlocks on
  -- the sentinel's rows.
  if not pg_try_advisory_xact_lock(hashtextextended('clerk payload shape ' || observe_payload_shape.event_type, 0)) then
    return;
  end if;
  insert into app_private.payload_shapes as s (event_type, keys) values (observe_payload_shape.event_type, v_keys)
  on conflict do nothing;
  if not found then
    return;
  end if;
  select count(*) - 1 into v_known_shapes from app_private.payload_shapes s where s.event_type = observe_payload_shape.event_type;

  -- The first shape of a type is the baseline: its keys are learned, not reported.
  if v_known_shapes > 0 then
    v_added := array(
      select k from unnest(v_keys) as k
       where not exists (select 1 from app_private.payload_keys pk where pk.event_type = observe_payload_shape.event_type and pk.key = k));
    -- Expected keys: those every earlier shape of the type carried.
    v_missing := array(
      select pk.key from app_private.payload_keys pk
       where pk.event_type = observe_payload_shape.event_type
         and pk.key <> all (v_keys)
         and pk.shapes = v_known_shapes
       order by pk.key);
  end if;

  insert into app_private.payload_keys as pk (event_type, key)
  select observe_payload_shape.event_type, k from unnest(v_keys) as k
  on conflict on constraint payload_keys_pkey do update set shapes = pk.shapes + 1, last_seen = now();

  if coalesce(cardinality(v_added), 0) + coalesce(cardinality(v_missing), 0) > 0 then
    insert into app_private.payload_key_changes (event_type, key, change)
    select observe_payload_shape.event_type, k, 'added' from unnest(v_added) as k
    union all
    select observe_payload_shape.event_type, k, 'missing' from unnest(v_missing) as k;
    raise warning using
      message = 'clerk payload shape changed',
      detail = jsonb_build_object('event_type', observe_payload_shape.event_type, 'added', coalesce(to_jsonb(v_added), '[]'), 'missing', coalesce(to_jsonb(v_missing), '[]'))::text,
      hint = 'payload_shape_changed';
  end if;
end;
$$;
revoke all on function app_private.observe_payload_shape(text, jsonb) from public;
comment on function app_private.observe_payload_shape(text, jsonb) is
  E'Drift sentinel: records the top-level data keys of a delivery''s event type in app_private.payload_shapes '
  'and app_private.payload_keys, and on a new shape records added and missing keys in '
  'app_private.payload_key_changes and raises a warning (hint payload_shape_changed) that the receiver '
  'logs and counts. A known shape costs one lookup.';
--! EndIncluded functions/observe_payload_shape.sql
