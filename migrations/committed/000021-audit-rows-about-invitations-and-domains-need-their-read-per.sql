--! Previous: sha1:c8811cb7902da8bcabd800f23cb52863c3fb3a81
--! Hash: sha1:726c66e491ee31ea649da92f477504e0cf9c9333
--! Message: Audit rows about invitations and domains need their read permission and a deleted organization's are unreadable; data.id must be a non-empty string

--! Included policies/audit_logs.sql
-- Row-level security of app_public.audit_logs (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.audit_logs');

-- Tenants. Read-only, and only with one of the reference tenant's audit permissions.
grant select on app_public.audit_logs to authenticated;

drop policy if exists select_with_audit_permission on app_public.audit_logs;
create policy select_with_audit_permission on app_public.audit_logs for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.has_permission('org:admin:view_audit_logs')) or (select app_public.has_permission('org:compliance:access_audit_logs')))
    -- A deleted organization's history goes with it, as its memberships and billing do.
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
    -- A row never shows more than the reader could read of the entity itself.
    and (entity_kind <> 'organization_invitations' or (select app_public.has_permission('org:sys_memberships:read')))
    and (entity_kind <> 'organization_domains' or (select app_public.has_permission('org:sys_domains:read')))
  );
comment on policy select_with_audit_permission on app_public.audit_logs is E'Audit rows of the active organization while it exists, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs; rows about invitations also need org:sys_memberships:read, rows about domains org:sys_domains:read.';
--! EndIncluded policies/audit_logs.sql
--! Included functions/clerk_data_id_problem.sql
-- Clerk names the object of every event by a non-empty string in data.id. Anything else there (a
-- number, an empty string, null, an object) would become a row keyed "42" or "": the event is
-- refused instead, and recorded failed with this sentence.
create or replace function app_private.clerk_data_id_problem(p_payload jsonb) returns text
language sql immutable parallel safe as $$
  select case
    when jsonb_typeof(p_payload -> 'data') = 'object' and (p_payload -> 'data') ? 'id'
         and (jsonb_typeof(p_payload #> '{data,id}') <> 'string' or p_payload #>> '{data,id}' = '')
    then format('data.id must be a non-empty string; this event has %s',
                case when jsonb_typeof(p_payload #> '{data,id}') = 'string' then 'an empty string' else 'a JSON ' || jsonb_typeof(p_payload #> '{data,id}') end)
  end
$$;
comment on function app_private.clerk_data_id_problem(jsonb) is E'Why the payload''s data.id cannot name an object (it is present but not a non-empty string), or null when it can or is absent. process_clerk_event records such an event failed.';
--! EndIncluded functions/clerk_data_id_problem.sql
--! Included functions/process_clerk_event.sql
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
--! EndIncluded functions/process_clerk_event.sql
