-- What the ledger keeps of a delivery. Applied before the ledger insert, so it holds on every
-- outcome: a failed delivery rolls back the family's writes but keeps its ledger row, and that row
-- must not keep what Clerk asked us never to store (one-time codes of email.created/sms.created)
-- nor what a user's deletion erased (a retry, a replay or a backfill arriving after it). A
-- deletion's own payload is about a deleted user (its external_id is personal data too).
-- PL/pgSQL: it runs on every delivery, and its plans stay cached across calls where a SQL
-- function's would be planned again each time.
create or replace function app_private.webhook_payload_to_store(payload jsonb) returns jsonb
language plpgsql volatile as $$
declare
  v_deleted text[] := app_private.lock_mentioned_users(
    app_private.clerk_event_people(payload),
    case when payload ->> 'type' = 'user.deleted' then nullif(payload #>> '{data,id}', '') end);
begin
  if cardinality(v_deleted) > 0 then
    payload := app_private.erase_people_from_payload(payload, v_deleted);
  end if;
  if payload ->> 'type' in ('email.created', 'sms.created') and jsonb_typeof(payload -> 'data') = 'object' then
    payload := jsonb_set(payload, '{data}', app_private.redact_one_time_codes(payload -> 'data'));
  end if;
  return payload;
end;
$$;
comment on function app_private.webhook_payload_to_store(jsonb) is E'The payload as app_private.webhook_events stores it: email.created and sms.created lose their one-time codes (app_private.redact_one_time_codes on data), and a payload about or embedding a deleted user (user.deleted itself included) arrives with that user''s personal data erased (app_private.erase_person_from_payload). Holds app_private.lock_clerk_user on every user the payload mentions until the transaction ends (app_private.lock_mentioned_users), so a concurrent deletion cannot miss it. Everything else is kept as received.';
