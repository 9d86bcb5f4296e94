-- What the ledger keeps of a delivery. Applied before the ledger insert, so it holds on every
-- outcome: a failed delivery rolls back the family's writes but keeps its ledger row, and that row
-- must not keep what Clerk asked us never to store (one-time codes of email.created/sms.created).
create or replace function app_private.webhook_payload_to_store(payload jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case
    when payload ->> 'type' in ('email.created', 'sms.created') and jsonb_typeof(payload -> 'data') = 'object'
      then jsonb_set(payload, '{data}', app_private.redact_one_time_codes(payload -> 'data'))
    else payload end
$$;
comment on function app_private.webhook_payload_to_store(jsonb) is E'The payload as app_private.webhook_events stores it: email.created and sms.created lose their one-time codes (app_private.redact_one_time_codes on data); every other payload is kept as received.';
