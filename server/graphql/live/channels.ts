// The names of the LISTEN/NOTIFY channels, as app_private.live_channel() computes them in SQL:
// `org:<organization id>` and `user:<user id>`, or the md5 of the id when the name would be longer
// than the 63 bytes Postgres keeps of an identifier.
import { createHash } from 'node:crypto';

export type ChannelScope = 'org' | 'user';

export function channelName(scope: ChannelScope, id: string): string {
  const name = `${scope}:${id}`;
  return Buffer.byteLength(name) <= 63 ? name : `${scope}:#${createHash('md5').update(id).digest('hex')}`;
}

/** What the database announces: which row of which table changed, and how; never the row itself. */
export interface ChangeNotice {
  /** The app_public table (`organization_memberships`, …). */
  kind: string;
  id: string;
  op: 'insert' | 'update' | 'delete';
  /** The organization the row belongs to, when it has one. */
  org: string | null;
}

export function parseNotice(payload: string | undefined): ChangeNotice | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as Partial<ChangeNotice>;
    if (typeof value.kind !== 'string' || typeof value.id !== 'string' || !['insert', 'update', 'delete'].includes(value.op as string)) return null;
    return { kind: value.kind, id: value.id, op: value.op as ChangeNotice['op'], org: typeof value.org === 'string' ? value.org : null };
  } catch {
    return null;
  }
}
