-- Every Clerk token names the user in `sub`; the Neon template repeats it as the literal key "user.id".
create or replace function app_public.current_user_id() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(app_public.current_claims() ->> 'sub', ''), nullif(app_public.current_claims() ->> 'user.id', ''))
  $$;

comment on function app_public.current_user_id() is E'The Clerk user id (`user_…`) of the signed-in visitor, from the token''s `sub` (or `user.id`); null when anonymous.';
grant execute on function app_public.current_user_id() to authenticated, anonymous;
