create or replace function app_private.clerk_event_of(p_key text, p_payload jsonb, p_occurred_at timestamptz) returns app_private.clerk_event
language sql immutable parallel safe as $$
  select row(
    p_key,
    p_payload ->> 'type',
    p_payload -> 'data',
    p_occurred_at,
    nullif(p_payload #>> '{event_attributes,http_request,client_ip}', ''),
    nullif(p_payload #>> '{event_attributes,http_request,user_agent}', '')
  )::app_private.clerk_event
$$;
comment on function app_private.clerk_event_of(text, jsonb, timestamptz) is E'The event the sync functions see, built from a stored payload: its ledger key, type, data, when it happened (p_occurred_at: the envelope timestamp, else when the delivery was first received) and the client IP and user agent Clerk reports.';
