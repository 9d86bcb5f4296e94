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
