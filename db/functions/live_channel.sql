-- The LISTEN/NOTIFY channel of one organization (`org:<id>`) or one user (`user:<id>`). Channel
-- names are identifiers (at most 63 bytes): a longer one is named by the md5 of the id instead, a
-- rule the server applies the same way (server/graphql/live/channels.ts).
create or replace function app_private.live_channel(scope text, id text) returns text
  language sql immutable strict parallel safe
  as $$
    select case
      when octet_length(live_channel.scope || ':' || live_channel.id) <= 63 then live_channel.scope || ':' || live_channel.id
      else live_channel.scope || ':#' || md5(live_channel.id)
    end
  $$;

revoke all on function app_private.live_channel(text, text) from public;
comment on function app_private.live_channel(text, text) is
  'The NOTIFY channel of an organization (scope org) or a user (scope user): scope:id, or scope:#md5(id) '
  'when that would exceed 63 bytes.';
