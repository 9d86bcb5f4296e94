-- The user a stored payload is about, when it is about one: the key of the ledger index through
-- which a user's erasure finds their payloads. One expression (the planner inlines it), because
-- it runs on every ledger insert.
create or replace function app_private.clerk_event_user_id(payload jsonb) returns text
language sql immutable parallel safe as $$
  select coalesce(
    case when payload ->> 'type' like 'user.%' then nullif(payload #>> '{data,id}', '') end,
    nullif(payload #>> '{data,user_id}', ''),
    nullif(payload #>> '{data,public_user_data,user_id}', ''),
    nullif(payload #>> '{data,payer,user_id}', ''))
$$;
comment on function app_private.clerk_event_user_id(jsonb) is E'The Clerk user a webhook payload is about: data.id of user.* events, else data.user_id (sessions, emails, SMS, an invitation''s acceptor), else the membership''s public_user_data.user_id, else the billing payer''s user_id. Indexed on app_private.webhook_events for erasure; the inviter of an invitation and addresses have indexes of their own.';
