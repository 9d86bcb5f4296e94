-- The sync of one event inside its own subtransaction: a permanent error undoes the sync's writes
-- and becomes the outcome failed, so the ledger row can still be written and kept.
create or replace function app_private.process_clerk_event(
  event app_private.clerk_event,
  p_payload jsonb,
  out outcome text,
  out error_code text,
  out error_message text
) language plpgsql volatile as $$
begin
  if jsonb_typeof(p_payload) is distinct from 'object' then
    raise exception 'payload is not a JSON object' using errcode = '22023';
  elsif event.event_type is null then
    raise exception 'payload has no type' using errcode = '22023';
  end if;
  -- Instance pinning: the receiver's connections carry CLERK_INSTANCE_ID as clerk.instance_ids. A
  -- delivery from another Clerk instance (a dev endpoint pointed at production) changes nothing;
  -- one without instance_id is accepted, as some real deliveries lack it.
  if p_payload ? 'instance_id'
     and nullif(current_setting('clerk.instance_ids', true), '') is not null
     and not (p_payload ->> 'instance_id' = any (string_to_array(current_setting('clerk.instance_ids', true), ','))) then
    outcome := 'ignored';
    error_message := 'foreign_instance';
    return;
  end if;
  error_message := app_private.clerk_data_id_problem(p_payload);
  if error_message is not null then
    raise exception '%', error_message using errcode = '22023';
  end if;
  perform app_private.check_clerk_shape(event.event_type, event.data);
  outcome := app_private.sync_clerk_event(event);
exception
  -- Transient: the whole delivery rolls back and the caller answers 503, so Svix retries.
  when transaction_rollback or insufficient_resources or operator_intervention or connection_exception or lock_not_available then
    raise;
  -- Permanent: the sync's writes are undone, the ledger row keeps the error for a replay.
  when others then
    get stacked diagnostics error_code = returned_sqlstate, error_message = message_text;
    outcome := 'failed';
end;
$$;
comment on function app_private.process_clerk_event(app_private.clerk_event, jsonb) is E'Runs the sync of one event (p_payload: the stored payload it was built from) and returns its outcome: processed, stale, ignored (error_message foreign_instance when the delivery''s instance_id is not one of clerk.instance_ids), or failed with the SQLSTATE and message of a permanent error, whose writes are undone. Transient errors (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried.';
