--! Previous: sha1:ba4f8bc768ec8d44415cf26fd7db7dd881e94645
--! Hash: sha1:2fba094edd9141d45c7da54ecd9630d603ce7de6
--! Message: Erase a deleted user's personal data from the ledger payloads about or embedding them; pii_scan

-- Erasure of a deleted user's personal data from the ledger, and the check that finds any left.
--! Included functions/jsonb_keep_keys.sql
-- The shape-preserving way to erase part of a stored payload: the object keeps every key, so a
-- reader still sees which fields Clerk sent, but only the named ones keep their values.
create or replace function app_private.jsonb_keep_keys(object jsonb, keep text[]) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(object) = 'object' then
    (select coalesce(jsonb_object_agg(f.key, case when f.key = any(keep) then f.value else 'null'::jsonb end), '{}')
       from jsonb_each(object) as f)
    else object end
$$;
comment on function app_private.jsonb_keep_keys(jsonb, text[]) is E'object with the value of every key not in keep replaced by JSON null (keys stay, so the shape is kept); anything that is not an object is returned unchanged.';
--! EndIncluded functions/jsonb_keep_keys.sql
--! Included functions/clerk_event_user_id.sql
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
--! EndIncluded functions/clerk_event_user_id.sql
--! Included functions/clerk_event_address.sql
-- The address a payload is sent to or about, for the payloads that name a person by address
-- (organization and application invitations, waitlist entries, emails and SMS): how an erasure
-- finds those sent to the user's addresses before they had an account.
create or replace function app_private.clerk_event_address(payload jsonb) returns text
language sql immutable parallel safe as $$
  select lower(coalesce(nullif(payload #>> '{data,email_address}', ''), nullif(payload #>> '{data,to_email_address}', ''), nullif(payload #>> '{data,to_phone_number}', '')))
$$;
comment on function app_private.clerk_event_address(jsonb) is E'The lower-cased email address (data.email_address, data.to_email_address) or phone number (data.to_phone_number) a webhook payload names, if any. Indexed on app_private.webhook_events for the event types that carry one, for erasure.';
--! EndIncluded functions/clerk_event_address.sql
--! Included functions/clerk_event_people.sql
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
--! EndIncluded functions/clerk_event_people.sql
--! Included functions/erase_person_from_payload.sql
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
--! EndIncluded functions/erase_person_from_payload.sql
--! Included functions/lock_clerk_user.sql
-- Erasing a user and storing a delivery that mentions them must not interleave: a delivery
-- checked before the deletion commits, but stored after the erasure ran, would keep the user's
-- data. Deliveries hold this lock shared while they decide how to store a payload, the deletion
-- holds it exclusively until it commits. Taken before any row lock (in the ledger's pre-insert
-- step), so it cannot deadlock with the row locks of the syncs.
create or replace function app_private.lock_clerk_user(p_user_id text, p_exclusive boolean default false) returns void
language plpgsql volatile as $$
begin
  if p_exclusive then
    perform pg_advisory_xact_lock(hashtext('clerk-pg-sync: user erasure'), hashtext(p_user_id));
  else
    perform pg_advisory_xact_lock_shared(hashtext('clerk-pg-sync: user erasure'), hashtext(p_user_id));
  end if;
end;
$$;
comment on function app_private.lock_clerk_user(text, boolean) is E'Transaction-level advisory lock on one Clerk user id (two-key form, first key hashtext(''clerk-pg-sync: user erasure'')): shared while a delivery decides how to store a payload mentioning the user, exclusive while the user''s deletion erases their data.';
--! EndIncluded functions/lock_clerk_user.sql
--! Included functions/lock_mentioned_users.sql
-- The users a delivery mentions, locked for storing it, and which of them are deleted. Two
-- statements whatever the number of users: it runs on every delivery.
create or replace function app_private.lock_mentioned_users(p_user_ids text[], p_deleting text default null) returns text[]
language plpgsql volatile as $$
begin
  if p_deleting is not null then
    perform app_private.lock_clerk_user(p_deleting, true);
  end if;
  if cardinality(p_user_ids) = 0 then
    return case when p_deleting is null then '{}'::text[] else array[p_deleting] end;
  end if;
  -- In id order, so two deliveries never wait for each other's locks in opposite orders; the
  -- locks are taken before the users rows are read, so a deletion committing meanwhile is seen.
  perform pg_advisory_xact_lock_shared(hashtext('clerk-pg-sync: user erasure'), hashtext(s.id))
     from (select distinct u as id from unnest(p_user_ids) as u where u like 'user\_%' order by 1) as s;
  return array(select u.id from app_public.users as u
                where u.id = any(p_user_ids) and u.deleted_at is not null and u.id is distinct from p_deleting order by 1)
         || case when p_deleting is null then '{}'::text[] else array[p_deleting] end;
end;
$$;
comment on function app_private.lock_mentioned_users(text[], text) is E'Takes app_private.lock_clerk_user on every user id in p_user_ids (shared, in id order) and on p_deleting (exclusive: the user a user.deleted deletes), and returns those already deleted, p_deleting included. Called before a delivery is stored.';
--! EndIncluded functions/lock_mentioned_users.sql
--! Included functions/erase_people_from_payload.sql
-- Several users' erasure from one payload (a payload may mention a deleted member and a deleted inviter).
create or replace function app_private.erase_people_from_payload(payload jsonb, p_user_ids text[]) returns jsonb
language plpgsql immutable parallel safe as $$
declare
  v_user text;
begin
  foreach v_user in array p_user_ids loop
    payload := app_private.erase_person_from_payload(payload, v_user);
  end loop;
  return payload;
end;
$$;
comment on function app_private.erase_people_from_payload(jsonb, text[]) is E'app_private.erase_person_from_payload for each user id in p_user_ids.';
--! EndIncluded functions/erase_people_from_payload.sql
--! Included functions/erase_user_personal_data.sql
-- What a user's deletion erases beyond the users row, its private metadata and its audit history
-- (which app_private.apply_clerk_change scrubs): every stored payload about or embedding the user,
-- and the places that hold one of the user's addresses without being the user's row. Runs in the
-- deletion's transaction, so the deletion and the erasure commit together or not at all.
create or replace function app_private.erase_user_personal_data(p_user_id text) returns integer
language plpgsql volatile as $$
declare
  v_addresses text[];
  v_erased integer;
begin
  if coalesce(p_user_id, '') = '' then
    return 0;
  end if;
  perform app_private.lock_clerk_user(p_user_id, true);

  -- Every address the user had, as far as anything stored tells: their row, the payloads about
  -- them, invitations they accepted, messages sent to them.
  select coalesce(array_agg(distinct lower(a.value)) filter (where coalesce(a.value, '') <> ''), '{}') into v_addresses
    from (
      select u.email from app_public.users as u where u.id = p_user_id
      union all select i.email_address from app_public.organization_invitations as i where i.user_id = p_user_id
      union all select m.to_address from app_private.clerk_messages as m where m.user_id = p_user_id
      union all
      select v #>> '{}'
        from app_private.webhook_events as w,
             jsonb_path_query(w.payload, 'lax $.data.email_addresses[*].email_address ? (@.type() == "string")') as v
       where app_private.clerk_event_user_id(w.payload) = p_user_id and w.payload ->> 'type' like 'user.%'
      union all
      select v #>> '{}'
        from app_private.webhook_events as w,
             jsonb_path_query(w.payload, 'lax $.data.phone_numbers[*].phone_number ? (@.type() == "string")') as v
       where app_private.clerk_event_user_id(w.payload) = p_user_id and w.payload ->> 'type' like 'user.%'
      union all
      select w.payload #>> '{data,public_user_data,identifier}'
        from app_private.webhook_events as w
       where app_private.clerk_event_user_id(w.payload) = p_user_id and w.payload #>> '{data,public_user_data,user_id}' = p_user_id
    ) as a(value);

  update app_private.webhook_events as w
     set payload = app_private.erase_person_from_payload(w.payload, p_user_id, v_addresses)
   where (app_private.clerk_event_user_id(w.payload) = p_user_id
          or (w.event_type like 'organizationInvitation.%' and w.payload #>> '{data,inviter_id}' = p_user_id)
          or (w.event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked',
                               'invitation.created', 'invitation.accepted', 'invitation.revoked', 'waitlistEntry.created',
                               'waitlistEntry.updated', 'email.created', 'sms.created')
              and app_private.clerk_event_address(w.payload) = any(v_addresses)))
     and app_private.erase_person_from_payload(w.payload, p_user_id, v_addresses) is distinct from w.payload;
  get diagnostics v_erased = row_count;

  -- Invitations accepted by the user or sent to one of their addresses, and their audit history.
  perform app_private.redact_audit_history('organization_invitations', i.id, array['email_address'])
     from app_public.organization_invitations as i
    where (i.user_id = p_user_id or lower(i.email_address) = any(v_addresses)) and i.email_address is not null;
  update app_public.organization_invitations as i set email_address = null
   where (i.user_id = p_user_id or lower(i.email_address) = any(v_addresses)) and i.email_address is not null;
  -- Messages to the user, and to one of their addresses before it was an account's.
  update app_private.clerk_messages as m set to_address = null
   where (m.user_id = p_user_id or (m.user_id is null and lower(m.to_address) = any(v_addresses))) and m.to_address is not null;
  -- Where the user's own requests came from, in the audit rows of their user row and sessions
  -- (the ledger's copies of those requests lost theirs above).
  update app_public.audit_logs as a set client_ip = null, user_agent = null
   where ((a.entity_kind = 'users' and a.entity_id = p_user_id)
          or (a.entity_kind = 'sessions' and a.entity_id in (select s.id from app_public.sessions as s where s.user_id = p_user_id)))
     and (a.client_ip is not null or a.user_agent is not null);
  update app_public.organization_domains as d set affiliation_email_address = null
   where lower(d.affiliation_email_address) = any(v_addresses);
  return v_erased;
end;
$$;
comment on function app_private.erase_user_personal_data(text) is E'Erases a deleted user''s personal data outside their own row: every ledger payload about or embedding them (app_private.erase_person_from_payload, found through the ledger''s indexes on the user a payload is about, the inviter and the address), the address of invitations they accepted or that were sent to one of their addresses (and those invitations'' audit history), recipients of Clerk messages to them, the client IP and user agent of the audit rows of their user row and sessions, domain affiliation addresses that were theirs. Called by the user.deleted sync in the same transaction; idempotent. Returns how many ledger rows it changed.';
--! EndIncluded functions/erase_user_personal_data.sql
--! Included functions/webhook_payload_to_store.sql
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
--! EndIncluded functions/webhook_payload_to_store.sql
--! Included functions/sync_user.sql
create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_public_metadata jsonb;
  v_user app_public.users;
  v_deleted_at timestamptz;
  v_changes integer;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    -- Before the row is scrubbed: the erasure reads the addresses the row still holds.
    perform app_private.erase_user_personal_data(v_data ->> 'id');
    -- The user first, then its memberships: the order deletions lock rows in.
    v_changes := app_private.apply_user_change(event, v_data ->> 'id', p_deleted_at => v_deleted_at)::integer;
    v_changes := v_changes + app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at);
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_public_metadata := app_private.jsonb_object_or_empty(v_data -> 'public_metadata');
    v_user.email := (select e ->> 'email_address'
                       from jsonb_array_elements(case when jsonb_typeof(v_data -> 'email_addresses') = 'array' then v_data -> 'email_addresses' else '[]' end) as e
                      where e ->> 'id' = v_data ->> 'primary_email_address_id'
                      limit 1);
    v_user.first_name := v_data ->> 'first_name';
    v_user.last_name := v_data ->> 'last_name';
    v_user.username := v_data ->> 'username';
    v_user.image_url := v_data ->> 'image_url';
    v_user.public_metadata := v_public_metadata;
    v_user.onboarding_complete := coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false);
    v_user.role := case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end;
    v_user.banned := coalesce(app_private.jsonb_boolean(v_data -> 'banned'), false);
    v_user.locked := coalesce(app_private.jsonb_boolean(v_data -> 'locked'), false);
    v_user.last_sign_in_at := app_private.clerk_time(v_data -> 'last_sign_in_at');
    v_user.last_active_at := app_private.clerk_time(v_data -> 'last_active_at');
    v_user.clerk_created_at := app_private.clerk_time(v_data -> 'created_at');
    v_changes := app_private.apply_user_change(
      event, v_data ->> 'id', v_user,
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'))::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS, every ledger payload about or embedding the user: app_private.erase_user_personal_data) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
--! EndIncluded functions/sync_user.sql
--! Included functions/jsonb_strings.sql
-- Every string inside a JSON document with the key it sits under (array elements take their
-- array's key): what pii-scan reads when it has to tell a person's values from structural ones.
create or replace function app_private.jsonb_strings(document jsonb) returns table (key text, value text)
language sql immutable parallel safe as $$
  with recursive walk(key, value) as (
    select null::text, document
    union all
    select coalesce(e.key, w.key), coalesce(e.value, a.value)
      from walk as w
      left join lateral jsonb_each(case when jsonb_typeof(w.value) = 'object' then w.value end) as e on true
      left join lateral jsonb_array_elements(case when jsonb_typeof(w.value) = 'array' then w.value end) as a on true
     where jsonb_typeof(w.value) in ('object', 'array') and coalesce(e.value, a.value) is not null
  )
  select w.key, w.value #>> '{}' from walk as w where jsonb_typeof(w.value) = 'string'
$$;
comment on function app_private.jsonb_strings(jsonb) is E'Every string value in document, with the object key it is under (elements of an array take the array''s key; null at the top level).';
--! EndIncluded functions/jsonb_strings.sql
--! Included functions/pii_scan.sql
-- The check that an erasure worked, without trusting the erasure's own list of places: every
-- text-like, json and jsonb column (and arrays of them) of every table and materialized view in
-- the database, searched for each needle as a case-insensitive substring of the column's text.
-- A sequential scan of everything: an operator's tool, not something to run per request.
create or replace function app_private.pii_scan(p_needles text[])
returns table (table_name text, column_name text, row_ctid tid, needle text, excerpt text)
language plpgsql stable as $$
declare
  v_needles text[] := array(select distinct lower(n) from unnest(p_needles) as n where n is not null order by 1);
  v_column record;
begin
  if exists (select from unnest(v_needles) as n where length(n) < 3) then
    raise exception 'pii_scan needs needles of at least 3 characters' using errcode = '22023';
  end if;
  if cardinality(v_needles) = 0 then
    return;
  end if;
  for v_column in
    select c.oid::regclass as relation, a.attname
      from pg_class as c
      join pg_namespace as s on s.oid = c.relnamespace
      join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      join pg_type as t on t.oid = a.atttypid
      left join pg_type as e on e.oid = t.typelem and t.typcategory = 'A'
     where c.relkind in ('r', 'p', 'm') and not c.relispartition
       and s.nspname not in ('pg_catalog', 'information_schema') and s.nspname not like 'pg\_%'
       and (t.typcategory = 'S' or t.oid in ('json'::regtype, 'jsonb'::regtype)
            or e.typcategory = 'S' or e.oid in ('json'::regtype, 'jsonb'::regtype))
     order by s.nspname, c.relname, a.attnum
  loop
    -- tableoid names the partition a row of a partitioned table lives in.
    return query execute format(
      'select t.tableoid::regclass::text, %1$L::text, t.ctid, n.needle,
              substr(t.%2$I::text, greatest(1, strpos(lower(t.%2$I::text), n.needle) - 40), length(n.needle) + 80)
         from %3$s as t cross join unnest($1) as n(needle)
        where strpos(lower(t.%2$I::text), n.needle) > 0',
      v_column.attname, v_column.attname, v_column.relation) using v_needles;
  end loop;
end;
$$;
revoke all on function app_private.pii_scan(text[]) from public;
comment on function app_private.pii_scan(text[]) is E'Every place in the database that still holds one of p_needles (email addresses, phone numbers, names, usernames …; at least 3 characters each): one row per (row, column, needle) with the table (the partition for partitioned tables), column, ctid and an excerpt around the match. Searches every text-like, json and jsonb column, and arrays of them, of every table and materialized view outside the system schemas, case-insensitively. Reads everything: run it by hand (npm run webhooks -- pii-scan), not per request.';
--! EndIncluded functions/pii_scan.sql
--! Included functions/user_personal_values.sql
-- What the database still links to a user id as that user's personal data: the values a pii_scan
-- for that user should look for once an id is all the operator has.
create or replace function app_private.user_personal_values(p_user_id text) returns setof text
language sql stable as $$
  select distinct value from (
    select unnest(array[u.email, u.first_name, u.last_name, u.username, u.image_url])
      from app_public.users as u where u.id = p_user_id
    union all
    select v #>> '{}'
      from app_private.private_metadata as m, jsonb_path_query(m.private_metadata, 'strict $.** ? (@.type() == "string")') as v
     where m.entity_kind = 'users' and m.entity_id = p_user_id
    union all
    select i.email_address from app_public.organization_invitations as i where i.user_id = p_user_id
    union all
    select m.to_address from app_private.clerk_messages as m where m.user_id = p_user_id
    union all
    -- The values the erasure would remove from the payloads that mention the user, without
    -- object kinds, ids, statuses and times: what identifies or describes the person.
    select erased.value from (
      select v.key, v.value
        from app_private.webhook_events as w, app_private.jsonb_strings(w.payload) as v
       where app_private.clerk_event_user_id(w.payload) = p_user_id or (w.event_type like 'organizationInvitation.%' and w.payload #>> '{data,inviter_id}' = p_user_id)
      except
      select v.key, v.value
        from app_private.webhook_events as w, app_private.jsonb_strings(app_private.erase_person_from_payload(w.payload, p_user_id)) as v
       where app_private.clerk_event_user_id(w.payload) = p_user_id or (w.event_type like 'organizationInvitation.%' and w.payload #>> '{data,inviter_id}' = p_user_id)
    ) as erased
    where erased.key not in ('object', 'id', 'provider', 'status', 'strategy', 'type') and (erased.key not like '%\_id' or erased.key in ('external_id', 'provider_user_id')) and erased.key not like '%\_at'
  ) as found(value)
  where length(value) >= 3 and value <> '[redacted]'
$$;
revoke all on function app_private.user_personal_values(text) from public;
comment on function app_private.user_personal_values(text) is E'The personal data still stored for Clerk user p_user_id: fields of their users row, their private metadata, addresses of invitations they accepted and of messages to them, and every string in a ledger payload mentioning them that app_private.erase_person_from_payload would remove. Empty once the user was deleted and erased. What pii-scan looks for when given a user id.';
--! EndIncluded functions/user_personal_values.sql

-- How an erasure finds the payloads of a user without reading the whole ledger: by the user a
-- payload is about (every row), by the inviter and by the address (only the types that carry them).
drop index if exists app_private.webhook_events_user_id_idx;
create index webhook_events_user_id_idx on app_private.webhook_events (app_private.clerk_event_user_id(payload));
drop index if exists app_private.webhook_events_inviter_id_idx;
create index webhook_events_inviter_id_idx on app_private.webhook_events ((payload #>> '{data,inviter_id}')) where event_type like 'organizationInvitation.%';
drop index if exists app_private.webhook_events_address_idx;
create index webhook_events_address_idx on app_private.webhook_events (app_private.clerk_event_address(payload))
  where event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked',
                       'invitation.created', 'invitation.accepted', 'invitation.revoked', 'waitlistEntry.created',
                       'waitlistEntry.updated', 'email.created', 'sms.created');

-- What an erasure looks up besides the ledger, so a reconciliation deleting many users never
-- reads whole tables once per user.
drop index if exists app_public.organization_invitations_user_id_idx;
create index organization_invitations_user_id_idx on app_public.organization_invitations (user_id) where user_id is not null;
drop index if exists app_public.organization_invitations_email_address_idx;
create index organization_invitations_email_address_idx on app_public.organization_invitations (lower(email_address));
drop index if exists app_private.clerk_messages_to_address_idx;
create index clerk_messages_to_address_idx on app_private.clerk_messages (lower(to_address)) where user_id is null;

-- Users deleted before erasure existed: erase what the ledger still holds of them.
select app_private.erase_user_personal_data(u.id) from app_public.users as u where u.deleted_at is not null;
