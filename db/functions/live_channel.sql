-- The LISTEN/NOTIFY channel of one organization (`org:<id>`) or one user (`user:<id>`). Channel
-- names are identifiers (at most 63 bytes): a longer one is named by the md5 of the id instead, a
-- rule the server applies the same way (server/graphql/live/channels.ts).
create or replace function app_private.live_channel(p_scope text, p_id text) returns text
  language sql immutable strict parallel safe
  as $$
    select case when octet_length(p_scope || ':' || p_id) <= 63 then p_scope || ':' || p_id else p_scope || ':#' || md5(p_id) end
  $$;

comment on function app_private.live_channel(text, text) is E'The NOTIFY channel of an organization (scope org) or a user (scope user): scope:id, or scope:#md5(id) when that would exceed 63 bytes.';
