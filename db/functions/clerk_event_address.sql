-- The address a payload is sent to or about, for the payloads that name a person by address
-- (organization and application invitations, waitlist entries, emails and SMS): how an erasure
-- finds those sent to the user's addresses before they had an account.
create or replace function app_private.clerk_event_address(payload jsonb) returns text
language sql immutable parallel safe as $$
  select lower(coalesce(nullif(payload #>> '{data,email_address}', ''), nullif(payload #>> '{data,to_email_address}', ''), nullif(payload #>> '{data,to_phone_number}', '')))
$$;
comment on function app_private.clerk_event_address(jsonb) is E'The lower-cased email address (data.email_address, data.to_email_address) or phone number (data.to_phone_number) a webhook payload names, if any. Indexed on app_private.webhook_events for the event types that carry one, for erasure.';
