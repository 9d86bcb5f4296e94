-- The one insert of a delivery into the ledger, made after the sync with its final outcome, so the
-- row (and its payload) is written once. claim_webhook_key has already excluded a duplicate; a
-- conflict here means a writer that did not take that lock (an older receiver during a rolling
-- deploy) committed the key first: the delivery is retried, and the retry answers duplicate.
create or replace function app_private.record_webhook_event(
  p_key text,
  p_payload jsonb,
  p_source text,
  p_outcome text,
  p_error_code text,
  p_error_message text,
  p_occurred_at timestamptz
) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
begin
  insert into app_private.webhook_events as w
         (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_code, error_message, occurred_at, processed_at)
  values (p_key, p_payload ->> 'type', p_payload #>> '{data,id}', app_private.clerk_event_organization_id(p_payload), p_payload,
          p_source, p_outcome, p_error_code, p_error_message, p_occurred_at, clock_timestamp())
  -- Any key conflict: each partition's primary key on svix_id.
  on conflict do nothing
  returning * into v_ledger;
  if not found then
    raise exception 'delivery % was recorded concurrently', p_key using errcode = '40001';
  end if;
  return v_ledger;
end;
$$;
comment on function app_private.record_webhook_event(text, jsonb, text, text, text, text, timestamptz) is E'Inserts the ledger row of a first delivery with its final outcome (processed, stale, ignored, or failed with SQLSTATE and message) and returns it. Raises serialization_failure (40001, transient: the caller answers 503 and the retry is a duplicate) when the key was committed meanwhile by a writer that did not take claim_webhook_key''s lock.';
