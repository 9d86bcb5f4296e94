-- Convenience for clients: the visitor's own user row (row-level security still applies).
create or replace function app_public.current_user() returns app_public.users
  language sql stable
  as $$ select * from app_public.users where id = app_public.current_user_id() $$;

comment on function app_public.current_user() is E'The signed-in user; null when anonymous or not synced yet.';
grant execute on function app_public.current_user() to authenticated, anonymous;
