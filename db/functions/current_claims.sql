-- The verified JWT claims of this transaction, set by the server (pgSettings) or by Neon's Data API.
-- current_setting(..., true) reads '' rather than NULL once a pooled connection has seen the setting.
create or replace function app_public.current_claims() returns jsonb
  language sql stable parallel safe
  as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;

comment on function app_public.current_claims() is E'@behavior -queryField\nThe verified JWT claims of the current request (`request.jwt.claims`), or null for an anonymous visitor.';
grant execute on function app_public.current_claims() to authenticated, anonymous;
