--! Previous: sha1:a7f461a204678c96c7d80237c9b4894d5268d9d6
--! Hash: sha1:bc48c8e1f1ca0be56b9b77f1ba0d7c653c3adf83
--! Message: One-time codes are redacted before the ledger insert

-- One-time codes are redacted before the ledger insert, so a failed email/SMS delivery keeps none.
--! Included functions/webhook_payload_to_store.sql
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
--! EndIncluded functions/webhook_payload_to_store.sql
--! Included functions/handle_clerk_event.sql
create or replace function app_private.handle_clerk_event(payload jsonb, svix_id text default null, source text default 'webhook') returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  -- Without a svix-id the key hashes the payload as received, not as stored: the same raw delivery
  -- sent again is still recognised as a duplicate, and keys match rows stored before redaction
  -- moved here.
  v_key text := coalesce(nullif(handle_clerk_event.svix_id, ''), 'sha256:' || encode(sha256(convert_to(handle_clerk_event.payload::text, 'UTF8')), 'hex'));
  -- Redacted before the insert, so it holds whatever the outcome: a failed sync rolls back its
  -- own writes but keeps this row.
  v_payload jsonb := app_private.webhook_payload_to_store(handle_clerk_event.payload);
  v_ledger app_private.webhook_events;
begin
  if handle_clerk_event.payload is null then
    raise exception 'handle_clerk_event needs a payload' using errcode = '22004';
  end if;
  -- The ledger row first: a concurrent delivery of the same svix-id waits here on the unique
  -- index until this transaction ends, then sees the row and answers duplicate.
  insert into app_private.webhook_events as w (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_message, occurred_at)
  values (
    v_key,
    v_payload ->> 'type',
    v_payload #>> '{data,id}',
    app_private.clerk_event_organization_id(v_payload),
    v_payload,
    coalesce(nullif(handle_clerk_event.source, ''), 'webhook'),
    'failed',
    'processing did not finish',
    app_private.clerk_time(handle_clerk_event.payload -> 'timestamp'))
  on conflict on constraint webhook_events_pkey do nothing;

  if not found then
    update app_private.webhook_events as w
       set duplicates = w.duplicates + 1, last_received_at = now()
     where w.svix_id = v_key
    returning * into v_ledger;
    return app_private.webhook_event_result(v_ledger, 'duplicate');
  end if;
  return app_private.process_webhook_event(v_key);
end;
$$;
revoke all on function app_private.handle_clerk_event(jsonb, text, text) from public;
grant execute on function app_private.handle_clerk_event(jsonb, text, text) to clerk_webhook;
comment on function app_private.handle_clerk_event(jsonb, text, text) is E'The single entry point for Clerk events (webhook route, backfill, a DBA by hand). Records the delivery in app_private.webhook_events keyed by svix_id (sha256:<hex> of the payload as received when null), stores the payload as app_private.webhook_payload_to_store returns it (one-time codes redacted), applies it once, all in the caller''s transaction. Returns {"status": "processed"|"duplicate"|"stale"|"ignored"|"failed", "svix_id", "event_type", "object_id", "organization_id" (when known), "error": {"code": SQLSTATE, "message"} (failed only), "original_status" (duplicate only: the outcome recorded for the first delivery)}. Permanent processing errors are caught and returned as failed with the ledger row kept; transient errors (SQLSTATE classes 40, 53, 57, 08, 55P03) are raised so the caller can answer 503. source names the caller in the ledger (webhook, backfill, …).';
--! EndIncluded functions/handle_clerk_event.sql
--! Included functions/sync_clerk_message.sql
create or replace function app_private.sync_clerk_message(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_inserted integer;
begin
  if event.event_type not in ('email.created', 'sms.created') then
    return 'ignored';
  end if;
  if coalesce(v_data ->> 'id', '') = '' then
    raise exception '% event without an object id', event.event_type using errcode = '22023';
  end if;
  -- A message is sent once and never changes: the first report of it is the record.
  insert into app_private.clerk_messages (id, channel, slug, status, user_id, to_address, from_address, identifier_id, delivered_by_clerk, svix_id, occurred_at)
  values (
    v_data ->> 'id',
    split_part(event.event_type, '.', 1),
    v_data ->> 'slug',
    v_data ->> 'status',
    nullif(v_data ->> 'user_id', ''),
    -- A deleted user's address is not kept (as user.deleted scrubs it from earlier messages).
    case when not exists (select from app_public.users as u where u.id = v_data ->> 'user_id' and u.deleted_at is not null)
      then coalesce(v_data ->> 'to_email_address', v_data ->> 'to_phone_number') end,
    coalesce(v_data ->> 'from_email_name', v_data ->> 'from_phone_number'),
    coalesce(v_data ->> 'email_address_id', v_data ->> 'phone_number_id'),
    app_private.jsonb_boolean(v_data -> 'delivered_by_clerk'),
    event.svix_id,
    event.occurred_at)
  on conflict (id) do nothing;
  get diagnostics v_inserted = row_count;
  return case when v_inserted > 0 then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_clerk_message(app_private.clerk_event) is E'email.created and sms.created into app_private.clerk_messages (delivery metadata only; the ledger''s copy of the payload had its one-time codes redacted by app_private.handle_clerk_event before it was stored). No audit row: nothing tenant-visible changes. Returns processed, stale (message already recorded) or ignored.';
--! EndIncluded functions/sync_clerk_message.sql

-- Failed deliveries stored before this change still hold their codes: redact them now.
update app_private.webhook_events as w
   set payload = app_private.webhook_payload_to_store(w.payload)
 where w.event_type in ('email.created', 'sms.created')
   and w.payload is distinct from app_private.webhook_payload_to_store(w.payload);
comment on column app_private.webhook_events.svix_id is E'The svix-id header (the same on every retry and replay), or sha256:<hex of the payload as received, before redaction> when the caller had none.';
comment on column app_private.webhook_events.payload is E'The delivered body as received (a JSON string when the body was not JSON), except what must never be stored: app_private.webhook_payload_to_store redacts the one-time codes of email.created/sms.created before the insert.';
