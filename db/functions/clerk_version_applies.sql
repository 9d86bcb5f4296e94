-- The staleness guard of every family: an object version is applied only when it is newer than
-- the one held (a placeholder or a row made by a deletion holds none).
create or replace function app_private.clerk_version_applies(p_version timestamptz, p_held_version timestamptz) returns boolean
language sql immutable parallel safe as $$
  select coalesce(p_version > coalesce(p_held_version, '-infinity'), false)
$$;
comment on function app_private.clerk_version_applies(timestamptz, timestamptz) is E'Whether an event''s object version (null for a tombstone, which carries none) is newer than the version the row holds (null when it holds none); older and equal versions are stale.';
