-- The least each family relies on, checked before anything is written: an object id of the
-- family's kind, and the parent ids it needs. A payload that fails is recorded failed with the
-- path of what is wrong, rather than applied half-way (or stored under an id such as "42"). A
-- missing object id is left to the family, which names the event in its message.
create or replace function app_private.check_clerk_shape(p_event_type text, p_data jsonb) returns void
language plpgsql immutable as $$
declare
  v_family text := split_part(p_event_type, '.', 1);
  v_deletion boolean := split_part(p_event_type, '.', 2) = 'deleted';
  v_prefix text := case v_family
    when 'user' then 'user_' when 'organization' then 'org_' when 'organizationMembership' then 'orgmem_'
    when 'organizationInvitation' then 'orginv_' when 'organizationDomain' then 'orgdmn_' when 'role' then 'role_'
    when 'permission' then 'perm_' when 'session' then 'sess_' when 'email' then 'ema_' when 'sms' then 'sms_'
    when 'subscription' then 'csub_' when 'subscriptionItem' then 'csub' end;
begin
  if v_prefix is null or jsonb_typeof(p_data) is distinct from 'object' then
    return;
  end if;
  if p_data -> 'id' is not null and jsonb_typeof(p_data -> 'id') <> 'null' then
    perform app_private.check_clerk_id(p_data -> 'id', 'data.id', v_prefix, false);
  end if;
  -- Tombstones carry only the id; the parents are what the live versions name.
  if v_deletion and v_family <> 'organizationMembership' then
    return;
  end if;
  case v_family
    when 'organizationMembership' then
      perform app_private.check_clerk_id(p_data #> '{organization,id}', 'data.organization.id', 'org_', true);
      perform app_private.check_clerk_id(p_data #> '{public_user_data,user_id}', 'data.public_user_data.user_id', 'user_', true);
    when 'organizationInvitation', 'organizationDomain' then
      perform app_private.check_clerk_id(p_data -> 'organization_id', 'data.organization_id', 'org_', true);
    when 'session' then
      perform app_private.check_clerk_id(p_data -> 'user_id', 'data.user_id', 'user_', false);
    else
      null;
  end case;
end;
$$;
comment on function app_private.check_clerk_shape(text, jsonb) is
  E'Raises 22023, naming the path, when an event''s data.id is not a string id of its family''s kind '
  '(user_, org_, orgmem_, orginv_, orgdmn_, role_, perm_, sess_, ema_, sms_, csub) or a parent id the '
  'family needs is missing or of the wrong kind (a membership''s organization and user, an invitation''s '
  'or domain''s organization, a session''s user when present).';
