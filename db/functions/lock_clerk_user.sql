-- Erasing a user and storing a delivery that mentions them must not interleave: a delivery
-- checked before the deletion commits, but stored after the erasure ran, would keep the user's
-- data. Deliveries hold this lock shared while they decide how to store a payload, the deletion
-- holds it exclusively until it commits. Taken before any row lock (in the ledger's pre-insert
-- step), so it cannot deadlock with the row locks of the syncs.
create or replace function app_private.lock_clerk_user(p_user_id text, p_exclusive boolean default false) returns void
language plpgsql volatile as $$
begin
  if p_exclusive then
    perform pg_advisory_xact_lock(hashtext('clerk-pg-sync: user erasure'), hashtext(p_user_id));
  else
    perform pg_advisory_xact_lock_shared(hashtext('clerk-pg-sync: user erasure'), hashtext(p_user_id));
  end if;
end;
$$;
comment on function app_private.lock_clerk_user(text, boolean) is E'Transaction-level advisory lock on one Clerk user id (two-key form, first key hashtext(''clerk-pg-sync: user erasure'')): shared while a delivery decides how to store a payload mentioning the user, exclusive while the user''s deletion erases their data.';
