-- Deletions are final, as in Clerk, whose ids are never reused or restored: a row keeps the
-- earliest deletion seen, whatever the order the events arrive in.
create or replace function app_private.clerk_deleted_at(p_held timestamptz, p_incoming timestamptz) returns timestamptz
language sql immutable parallel safe as $$
  select least(p_held, p_incoming)
$$;
comment on function app_private.clerk_deleted_at(timestamptz, timestamptz) is E'The deleted_at a row gets from the one it holds and the one an event carries or inherits (null for none): the earliest; a deletion is never undone.';
