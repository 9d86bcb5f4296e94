// A deterministic stream of Clerk deliveries about many users, organizations and memberships, with
// the cases the convergence guarantee is about: updates, a delete followed in time by nothing
// but preceded by an update that may arrive late, memberships that may arrive before their user or
// organization, and membership deletes that do not move updated_at.
import {
  membershipEvent,
  organizationEvent,
  userDeletedEvent,
  userEvent,
  type MembershipVersion,
} from '../../support/clerkDeliveries.ts';

export interface Delivery {
  svixId: string;
  type: string;
  body: string;
  /** When the change happened at Clerk: applying deliveries in this order is the reference. */
  at: number;
}

export interface StoryOptions {
  /** Goes into every id and svix-id, so two stories never share an object. */
  prefix: string;
  users: number;
  organizations: number;
  startAt?: number;
}

export function clerkStory({ prefix, users, organizations, startAt = Date.UTC(2025, 5, 1) }: StoryOptions): Delivery[] {
  const deliveries: Delivery[] = [];
  const add = (type: string, event: object, at: number) =>
    deliveries.push({ svixId: `msg_${prefix}${deliveries.length.toString(36)}`, type, body: JSON.stringify(event), at });

  for (let j = 0; j < organizations; j++) {
    const key = `${prefix}o${j}`;
    const t = startAt + j * 7;
    add('organization.created', organizationEvent('organization.created', { key, updatedAt: t }), t);
    add('organization.updated', organizationEvent('organization.updated', { key, createdAt: t, updatedAt: t + 40, name: `Fleet ${key} LLC` }), t + 40);
  }
  for (let i = 0; i < users; i++) {
    const key = `${prefix}u${i}`;
    const t = startAt + 1000 + i * 100;
    add('user.created', userEvent('user.created', { key, updatedAt: t, firstName: 'New', lastName: null }), t);
    add('user.updated', userEvent('user.updated', { key, createdAt: t, updatedAt: t + 10, firstName: 'Named', lastName: `Driver ${i}` }), t + 10);
    add('user.updated', userEvent('user.updated', { key, createdAt: t, updatedAt: t + 20, firstName: 'Renamed', lastName: `Driver ${i}`, role: 'dispatcher' }), t + 20);

    const membership: MembershipVersion = { key: `${prefix}m${i}`, userKey: key, organizationKey: `${prefix}o${i % organizations}`, updatedAt: t + 5 };
    add('organizationMembership.created', membershipEvent('organizationMembership.created', membership), t + 5);
    if (i % 3 === 0) {
      membership.updatedAt = t + 15;
      membership.role = 'org:dispatcher';
      add('organizationMembership.updated', membershipEvent('organizationMembership.updated', { ...membership, createdAt: t + 5 }), t + 15);
    }
    if (i % 5 === 0) {
      // Clerk repeats the last updated_at on a membership delete; only the envelope time is later.
      add('organizationMembership.deleted', membershipEvent('organizationMembership.deleted', { ...membership, createdAt: t + 5 }, t + 35), t + 35);
    }
    if (i % 4 === 0) {
      add('user.updated', userEvent('user.updated', { key, createdAt: t, updatedAt: t + 25, firstName: 'Last', lastName: 'Words' }), t + 25);
      add('user.deleted', userDeletedEvent(key, t + 30), t + 30);
    }
  }
  return deliveries.sort((a, b) => a.at - b.at);
}

/** A reproducible shuffle (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
