-- Where Clerk puts one-time codes in email.created and sms.created: the rendered texts and the
-- template data. Redacting the body alone would leave the code in the subject.
create or replace function app_private.redact_one_time_codes(message jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(message) = 'object' then
    (select coalesce(jsonb_object_agg(f.key, case
              when f.key in ('subject', 'body', 'body_plain', 'message') and f.value <> 'null' then '"[redacted]"'::jsonb
              when f.key = 'data' and jsonb_typeof(f.value) = 'object' and f.value ? 'otp_code' then f.value || '{"otp_code": "[redacted]"}'
              else f.value end), '{}')
       from jsonb_each(message) as f)
    else message end
$$;
comment on function app_private.redact_one_time_codes(jsonb) is E'The data object of an email.created / sms.created event with subject, body, body_plain, message and data.otp_code replaced by "[redacted]".';
