-- Everyone a payload mentions: whose deletion must change how it is stored. Read once per
-- delivery, before the ledger insert. PL/pgSQL, not SQL: its plans stay cached across calls.
create or replace function app_private.clerk_event_people(payload jsonb) returns text[]
language plpgsql immutable parallel safe as $$
declare
  v_people text[] := array_remove(array[
      app_private.clerk_event_user_id(payload),
      nullif(payload #>> '{data,user,id}', ''),
      nullif(payload #>> '{data,inviter_id}', ''),
      nullif(payload #>> '{data,public_inviter_data,user_id}', '')
    ], null);
begin
  if payload ->> 'type' like 'subscription%' or payload ->> 'type' like 'paymentAttempt.%' then
    v_people := v_people || array(
      select u #>> '{}' from jsonb_path_query(payload, 'lax $.data.items[*].payer.user_id ? (@ != "")') as u
      union all
      select u #>> '{}' from jsonb_path_query(payload, 'lax $.data.subscription_items[*].payer.user_id ? (@ != "")') as u);
  end if;
  return v_people;
end;
$$;
comment on function app_private.clerk_event_people(jsonb) is E'Every Clerk user id a webhook payload is about or embeds (may repeat): app_private.clerk_event_user_id, the user a session embeds, the inviter of an invitation, the payers of the items a subscription or payment attempt embeds.';
