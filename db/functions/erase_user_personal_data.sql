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
