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
