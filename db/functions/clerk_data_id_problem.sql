-- Clerk names the object of every event by a non-empty string in data.id. Anything else there (a
-- number, an empty string, null, an object) would become a row keyed "42" or "": the event is
-- refused instead, and recorded failed with this sentence.
create or replace function app_private.clerk_data_id_problem(p_payload jsonb) returns text
language sql immutable parallel safe as $$
  select case
    when jsonb_typeof(p_payload -> 'data') = 'object' and (p_payload -> 'data') ? 'id'
         and (jsonb_typeof(p_payload #> '{data,id}') <> 'string' or p_payload #>> '{data,id}' = '')
    then format('data.id must be a non-empty string; this event has %s',
                case when jsonb_typeof(p_payload #> '{data,id}') = 'string' then 'an empty string' else 'a JSON ' || jsonb_typeof(p_payload #> '{data,id}') end)
  end
$$;
comment on function app_private.clerk_data_id_problem(jsonb) is E'Why the payload''s data.id cannot name an object (it is present but not a non-empty string), or null when it can or is absent. process_clerk_event records such an event failed.';
