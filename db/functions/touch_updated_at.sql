-- BEFORE UPDATE trigger of tables visitors write: updated_at is the database's time of the change,
-- whatever the client sent.
create or replace function app_private.touch_updated_at() returns trigger
  language plpgsql
  as $$
begin
  new.updated_at := now();
  return new;
end
$$;

comment on function app_private.touch_updated_at() is E'Trigger: sets updated_at to the transaction time on every update.';
