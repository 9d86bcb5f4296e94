-- A stored payload with one person's personal data erased. Clerk ids, types, times, statuses and
-- everything else the syncs and the operator need stay; what identifies or describes the person
-- becomes null (keys stay, so the shape is still visible):
--   the user object (user.* data, the user a session embeds): all but ids, times and flags;
--   public_user_data (memberships) and public_inviter_data (invitations): all but user_id, has_image;
--   a billing payer who is the user: names, email, image; and the payment source of their attempts;
--   a session's latest_activity (device, browser, IP address, city, country);
--   a message to them: recipient, and template data but the application's name and theme (texts
--   and one-time codes are redacted on arrival);
--   an invitation they accepted, or one sent to their address: the address;
--   the client IP and user agent of requests they made themselves (user.*, session, message).
-- Null, not a placeholder string: syncs read null as absent, so a late or replayed redacted
-- payload never writes a placeholder into a column.
create or replace function app_private.erase_person_from_payload(payload jsonb, p_user_id text, p_addresses text[] default '{}')
returns jsonb
language plpgsql immutable parallel safe as $$
declare
  c_user_kept constant text[] := array['id', 'object', 'deleted', 'created_at', 'updated_at', 'last_sign_in_at', 'last_active_at',
    'banned', 'locked', 'primary_email_address_id', 'primary_phone_number_id', 'primary_web3_wallet_id',
    'legal_accepted_at', 'mfa_enabled_at', 'mfa_disabled_at'];
  c_public_data_kept constant text[] := array['user_id', 'has_image'];
  c_payer_kept constant text[] := array['id', 'object', 'instance_id', 'user_id', 'organization_id', 'organization_name', 'created_at', 'updated_at'];
  v_type text := payload ->> 'type';
  v_data jsonb := payload -> 'data';
  v_subject boolean := false;
  v_items jsonb;
  v_list text;
begin
  if jsonb_typeof(v_data) is distinct from 'object' or coalesce(p_user_id, '') = '' then
    return payload;
  end if;

  if v_type like 'user.%' and v_data ->> 'id' = p_user_id then
    v_data := app_private.jsonb_keep_keys(v_data, c_user_kept);
    v_subject := true;
  end if;
  if v_data #>> '{user,id}' = p_user_id then
    v_data := jsonb_set(v_data, '{user}', app_private.jsonb_keep_keys(v_data -> 'user', c_user_kept));
  end if;
  if v_data #>> '{public_user_data,user_id}' = p_user_id then
    v_data := jsonb_set(v_data, '{public_user_data}', app_private.jsonb_keep_keys(v_data -> 'public_user_data', c_public_data_kept));
  end if;
  if v_data #>> '{public_inviter_data,user_id}' = p_user_id or v_data ->> 'inviter_id' = p_user_id then
    v_data := jsonb_set(v_data, '{public_inviter_data}', app_private.jsonb_keep_keys(v_data -> 'public_inviter_data', c_public_data_kept));
  end if;

  if v_data ->> 'user_id' = p_user_id then
    if v_data ? 'latest_activity' then
      v_data := jsonb_set(v_data, '{latest_activity}', app_private.jsonb_keep_keys(v_data -> 'latest_activity', array['id', 'object']));
    end if;
    -- Sessions and messages are the user's own requests; an invitation they accepted is not.
    v_subject := v_subject or v_type like 'session.%' or v_type in ('email.created', 'sms.created');
  end if;

  if v_type in ('email.created', 'sms.created')
     and (v_data ->> 'user_id' = p_user_id or lower(v_data ->> 'to_email_address') = any(p_addresses) or v_data ->> 'to_phone_number' = any(p_addresses)) then
    v_data := v_data || coalesce((select jsonb_object_agg(k, null) from unnest(array['to_email_address', 'to_phone_number']) as k where v_data ? k), '{}');
    -- Template data: the application's name and theme stay, whatever describes the person goes.
    if jsonb_typeof(v_data -> 'data') = 'object' then
      v_data := jsonb_set(v_data, '{data}', app_private.jsonb_keep_keys(v_data -> 'data', array['app', 'theme', 'otp_code']));
    end if;
  end if;
  if v_data ? 'email_address' and (v_data ->> 'user_id' = p_user_id or lower(v_data ->> 'email_address') = any(p_addresses)) then
    v_data := jsonb_set(v_data, '{email_address}', 'null');
  end if;

  -- Billing: the payer of a subscription, of each item it embeds, of a payment attempt.
  if v_data #>> '{payer,user_id}' = p_user_id then
    v_data := jsonb_set(v_data, '{payer}', app_private.jsonb_keep_keys(v_data -> 'payer', c_payer_kept));
    if jsonb_typeof(v_data -> 'payment_source') = 'object' then
      v_data := jsonb_set(v_data, '{payment_source}', app_private.jsonb_keep_keys(v_data -> 'payment_source', array['id', 'object', 'status']));
    end if;
  end if;
  foreach v_list in array array['items', 'subscription_items'] loop
    if jsonb_typeof(v_data -> v_list) = 'array'
       and exists (select from jsonb_array_elements(v_data -> v_list) as e(i) where i #>> '{payer,user_id}' = p_user_id) then
      select jsonb_agg(case when i #>> '{payer,user_id}' = p_user_id
                            then jsonb_set(i, '{payer}', app_private.jsonb_keep_keys(i -> 'payer', c_payer_kept)) else i end order by n)
        into v_items
        from jsonb_array_elements(v_data -> v_list) with ordinality as e(i, n);
      v_data := jsonb_set(v_data, array[v_list], v_items);
    end if;
  end loop;

  payload := jsonb_set(payload, '{data}', v_data);
  if v_subject and jsonb_typeof(payload #> '{event_attributes,http_request}') = 'object' then
    payload := jsonb_set(payload, '{event_attributes,http_request}', app_private.jsonb_keep_keys(payload #> '{event_attributes,http_request}', '{}'));
  end if;
  return payload;
end;
$$;
comment on function app_private.erase_person_from_payload(jsonb, text, text[]) is E'A webhook payload with the personal data of user p_user_id (and of the email addresses / phone numbers p_addresses, lower-cased) replaced by null: user object fields other than ids, times and flags; membership public_user_data and inviter data; billing payer names, email, image and payment source; session activity (device, IP, location); message recipients and template data (but the application''s name and theme); invitation addresses; the client IP and user agent of the user''s own requests. Ids, types, times and statuses stay. Unchanged when the payload does not concern them.';
