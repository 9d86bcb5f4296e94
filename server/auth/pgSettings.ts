// A visitor's verified claims as the transaction-local Postgres settings the SQL claim helpers
// read (the Neon/PostgREST convention): the role, and the claims as JSON. PostGraphile sets them
// for every GraphQL request, the admin actions for their checks; both take them from here.
import type { SessionClaims } from './verifySessionToken.ts';

export function pgSettingsFor(claims: SessionClaims | null): Record<string, string> {
  return claims ? { role: 'authenticated', 'request.jwt.claims': JSON.stringify(claims) } : { role: 'anonymous' };
}
