-- Convenience for clients: the visitor's own user row (row-level security still applies).
-- plpgsql so an anonymous visitor, who holds no privilege on users, gets null instead of a
-- permission error: the table is only read when there is a user to look for.
create or replace function app_public.current_user() returns app_public.users
  language plpgsql stable
  as $$
declare
  v_user_id text := app_public.current_user_id();
  v_user app_public.users;
begin
  if v_user_id is null then
    return null;
  end if;
  select * into v_user from app_public.users where id = v_user_id;
  return v_user;
end
$$;

comment on function app_public.current_user() is E'The signed-in user; null when anonymous or not synced yet.';
grant execute on function app_public.current_user() to authenticated, anonymous;
