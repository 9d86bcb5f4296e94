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
