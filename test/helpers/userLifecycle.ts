// A Clerk user's whole life as webhook payloads, with personal values found nowhere else in the
// test database, for the erasure tests: every kind of payload that is about or embeds a user.
import { fixture, taggedId, type ClerkEvent } from './clerkEvents.ts';

export const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';
export const DAY = 86_400_000;

/** A person with values found nowhere else in the test database. */
export function person(tag: string) {
  const digits = String(parseInt(tag, 16)).padStart(10, '0').slice(-10);
  return {
    id: taggedId(ALICIA, tag),
    firstEmail: `alicia.${tag}@example.com`,
    secondEmail: `a.torres.${tag}@example.org`,
    phone: `+1${digits}`,
    firstName: `Alicia${tag}`,
    lastName: `Torres${tag}`,
    username: `atorres_${tag}`,
    externalId: `fleetops-u-${tag}`,
    imageUrl: `https://img.example.com/${tag}.png`,
    secret: `private-note-${tag}`,
    unsafe: `unsafe-note-${tag}`,
    wallet: `0x${tag}${tag}${tag}${tag}${tag}`,
    clientIp: `2001:db8::${tag.slice(0, 4)}:${tag.slice(4)}`,
    city: `Austin${tag}`,
  };
}
export type Person = ReturnType<typeof person>;

/** Every personal value of the person, as pii_scan needles. */
export const needles = (p: Person) => [p.firstEmail, p.secondEmail, p.phone, p.firstName, p.lastName, p.username, p.externalId, p.imageUrl, p.secret, p.unsafe, p.wallet, p.city, p.clientIp];

function withRequest(event: ClerkEvent, p: Person): ClerkEvent {
  event.event_attributes = { http_request: { client_ip: p.clientIp, user_agent: `Agent/${p.clientIp}` } };
  return event;
}

export function userEvent(type: 'user.created' | 'user.updated', p: Person, tag: string, at: number, email: string, extra: Record<string, unknown> = {}): ClerkEvent {
  const event = fixture(type, tag);
  Object.assign(event.data, {
    first_name: p.firstName,
    last_name: p.lastName,
    username: p.username,
    external_id: p.externalId,
    image_url: p.imageUrl,
    profile_image_url: p.imageUrl,
    email_addresses: [{ id: `idn_email_${tag}`, object: 'email_address', email_address: email }],
    primary_email_address_id: `idn_email_${tag}`,
    web3_wallets: [{ id: `idn_wallet_${tag}`, web3_wallet: p.wallet }],
    external_accounts: [{ id: `eac_${tag}`, provider: 'oauth_google', email_address: email, provider_user_id: `google-${tag}` }],
    public_metadata: { role: 'admin', nickname: p.username },
    private_metadata: { note: p.secret },
    unsafe_metadata: { note: p.unsafe },
    updated_at: at,
    ...extra,
  });
  event.timestamp = at + 10;
  return withRequest(event, p);
}

/** The user's life: every kind of payload that embeds them, in Clerk's order. */
export function lifecycle(p: Person, tag: string, start: number): ClerkEvent[] {
  const created = userEvent('user.created', p, tag, start, p.firstEmail);
  const updated = userEvent('user.updated', p, tag, start + DAY, p.secondEmail, {
    phone_numbers: [{ id: `idn_phone_${tag}`, object: 'phone_number', phone_number: p.phone }],
    primary_phone_number_id: `idn_phone_${tag}`,
  });

  const membership = fixture('organizationMembership.created', tag);
  Object.assign(membership.data.public_user_data, { first_name: p.firstName, last_name: p.lastName, identifier: p.secondEmail, image_url: p.imageUrl, profile_image_url: p.imageUrl, username: p.username });

  const email = withRequest(fixture('email.created', tag), p);
  Object.assign(email.data, { to_email_address: p.secondEmail });
  email.data.data.user = { public_metadata: { nickname: p.username } };
  const sms = withRequest(fixture('sms.created', tag), p);
  Object.assign(sms.data, { to_phone_number: p.phone });

  const session = withRequest(fixture('session.created', tag), p);
  Object.assign(session.data.latest_activity, { ip_address: p.clientIp, city: p.city });
  session.data.user = { ...updated.data };

  const invitation = fixture('organizationInvitation.accepted', tag);
  Object.assign(invitation.data, { email_address: p.firstEmail, user_id: p.id });

  const subscription = fixture('subscription.created', tag);
  Object.assign(subscription.data.payer, { user_id: p.id, organization_id: '', first_name: p.firstName, last_name: p.lastName, email: p.secondEmail, image_url: p.imageUrl });

  return [created, updated, membership, email, sms, session, invitation, subscription];
}

export function deletion(p: Person, tag: string, at: number): ClerkEvent {
  const event = withRequest(fixture('user.deleted', tag), p);
  event.data.external_id = p.externalId;
  event.timestamp = at;
  return event;
}
