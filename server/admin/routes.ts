// The seeds' admin actions, done through Clerk (the source of truth) and applied at once through
// app_private.handle_clerk_event, so the database shows the change before Clerk's webhook arrives
// and that webhook (same object version) is then stale: nothing changes twice.
//   POST /api/users/sync-from-clerk {clerkUserId}: re-read one user from Clerk. Yourself, or a
//     member of your active organization when you may manage its members.
//   POST /api/admin/set-role {targetUserId, role}: an admin changes another member's role.
// Every answer is {success, message, …}; 401 without a valid token, 403 when not allowed, 404 for
// someone outside the organization, 400 for bad input, 502/503 when Clerk fails.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type pg from 'pg';
import { bearerAuth, claimsOf, type RefusalBody } from '../auth/bearerAuth.ts';
import type { SessionClaims, SessionTokenVerifier } from '../auth/verifySessionToken.ts';
import { clerkStatusOf, createBackendApi, describeClerkError, withClerkRetry, type BackendApi, type RetryPolicy } from '../clerk/backendApi.ts';
import { handleClerkEvent, isTransientSqlState, sqlStateOf, synthesizedEnvelope, type ClerkEventStatus } from '../database/clerkEvents.ts';
import type { AppServices } from '../services.ts';
import { markRefusal } from '../observability/delivery.ts';
import { asVisitor, assignableRoles, describeCaller, memberOfActiveOrganization } from './visitor.ts';

export const SYNC_USER_PATH = '/api/users/sync-from-clerk';
export const SET_ROLE_PATH = '/api/admin/set-role';

const USER_ID = /^user_[A-Za-z0-9]{1,64}$/;
const ROLE_KEY = /^[A-Za-z0-9_:-]{1,100}$/;

// An admin is waiting on the answer: a short retry budget, not the backfill's patience.
const REQUEST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Json = Record<string, unknown>;

function fail(res: Response, status: number, message: string): void {
  if (status < 500) markRefusal(res, message);
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).json({ success: false, message });
}

/** The admin routes' answer shape for a token the gate refused. */
const adminRefusal: RefusalBody = (res, refusal) => {
  res.json({ success: false, message: refusal.message });
};

/** The caller's verified claims; the gate has already refused a bad token, so none here means no token. */
function signedInClaims(req: Request): SessionClaims {
  const claims = claimsOf(req);
  if (!claims) throw new HttpError(401, 'sign in first: send "Authorization: Bearer <Clerk session token>"');
  return claims;
}

function stringField(body: unknown, name: string, pattern: RegExp, what: string): string {
  const value = (body as Json | undefined)?.[name];
  if (typeof value !== 'string' || !pattern.test(value)) throw new HttpError(400, `${name} must be ${what}`);
  return value;
}

/** Clerk's failure as ours: its 404 is ours, its validation errors are bad input, the rest is Clerk's fault. */
function clerkFailure(error: unknown, notFound: string): HttpError {
  const status = clerkStatusOf(error);
  if (status === 404) return new HttpError(404, notFound);
  if (status === 400 || status === 422) return new HttpError(400, `Clerk refused the change: ${describeClerkError(error)}`);
  if (status === 429 || status === undefined || status >= 500) return new HttpError(503, `Clerk's Backend API is unavailable: ${describeClerkError(error)}`);
  return new HttpError(502, `Clerk's Backend API refused the request: ${describeClerkError(error)}`);
}

/** Applies an object Clerk just returned as the webhook Clerk will send for it (same version). */
async function applyFromClerk(pool: pg.Pool, req: Request, type: string, data: Json): Promise<ClerkEventStatus> {
  const envelope = synthesizedEnvelope(type, data, data.updated_at, { clientIp: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
  const result = await handleClerkEvent(pool, JSON.stringify(envelope), `admin:${String(data.id)}:${String(data.updated_at)}`, 'admin');
  return result.status;
}

function primaryEmail(user: Json): string | null {
  const emails = Array.isArray(user.email_addresses) ? (user.email_addresses as Json[]) : [];
  const primary = emails.find((email) => email.id === user.primary_email_address_id);
  return typeof primary?.email_address === 'string' ? primary.email_address : null;
}

export function adminRouter(services: Pick<AppServices, 'config' | 'logger' | 'pools'>, verifySessionToken: SessionTokenVerifier, api?: BackendApi): Router {
  const { config, logger, pools } = services;
  const clerk = api ?? (config.clerk.secretKey ? createBackendApi({ secretKey: config.clerk.secretKey, apiUrl: config.clerk.apiUrl }) : undefined);
  const router = Router();
  router.use([SYNC_USER_PATH, SET_ROLE_PATH], bearerAuth(verifySessionToken, adminRefusal), express.json({ limit: '16kb' }));

  const handler = (action: (req: Request, claims: SessionClaims, clerk: BackendApi) => Promise<Json>) => async (req: Request, res: Response) => {
    try {
      const claims = signedInClaims(req);
      if (!clerk) throw new HttpError(503, 'CLERK_SECRET_KEY is not configured: this server cannot reach Clerk');
      res.json({ success: true, ...(await action(req, claims, clerk)) });
    } catch (error) {
      if (error instanceof HttpError) return fail(res, error.status, error.message);
      if (isTransientSqlState(sqlStateOf(error))) return fail(res, 503, 'the database is unavailable; try again');
      logger.error({ err: error, path: req.path }, 'admin action failed');
      fail(res, 500, 'the action failed on the server; see the logs');
    }
  };

  router.post(
    SYNC_USER_PATH,
    handler(async (req, claims, clerk) => {
      const userId = stringField(req.body, 'clerkUserId', USER_ID, 'a Clerk user id (user_…)');
      await asVisitor(pools.auth, claims, async (client) => {
        const caller = await describeCaller(client);
        if (!caller.userId) throw new HttpError(401, 'the session token names no user');
        if (caller.userId === userId) return;
        if (!caller.organizationId || !caller.isAdmin) throw new HttpError(403, 'only an admin of the active organization may sync another user');
        if (!(await memberOfActiveOrganization(client, userId))) throw new HttpError(404, `${userId} is not a member of your organization`);
      });
      let user: Json;
      try {
        user = (await withClerkRetry(`GET /users/${userId}`, () => clerk.users.getUser(userId), REQUEST_RETRY)).raw as unknown as Json;
      } catch (error) {
        throw clerkFailure(error, `Clerk has no user ${userId}`);
      }
      const status = await applyFromClerk(pools.webhook, req, 'user.updated', user);
      if (status === 'failed') throw new Error(`handle_clerk_event could not apply ${userId}; the ledger holds the error`);
      return {
        status,
        message: status === 'processed' ? 'user synced from Clerk' : 'user already up to date',
        user: { id: user.id, email: primaryEmail(user), firstName: user.first_name ?? null, lastName: user.last_name ?? null },
      };
    }),
  );

  router.post(
    SET_ROLE_PATH,
    handler(async (req, claims, clerk) => {
      const targetUserId = stringField(req.body, 'targetUserId', USER_ID, 'a Clerk user id (user_…)');
      const requested = stringField(req.body, 'role', ROLE_KEY, 'a role key such as org:admin');
      const { organizationId, member, role } = await asVisitor(pools.auth, claims, async (client) => {
        const caller = await describeCaller(client);
        if (!caller.userId) throw new HttpError(401, 'the session token names no user');
        if (!caller.organizationId) throw new HttpError(403, 'no active organization in the session token');
        if (!caller.isAdmin) throw new HttpError(403, 'only an admin of the organization may change roles');
        if (caller.userId === targetUserId) throw new HttpError(400, 'you cannot change your own role (an admin could lock the organization out)');
        const target = await memberOfActiveOrganization(client, targetUserId);
        if (!target) throw new HttpError(404, `${targetUserId} is not a member of your organization`);
        const roles = await assignableRoles(client);
        const key = roles.includes(requested) ? requested : roles.find((candidate) => candidate === `org:${requested}`);
        if (!key) throw new HttpError(400, `unknown role ${requested}; roles of this organization: ${roles.join(', ')}`);
        return { organizationId: caller.organizationId, member: target, role: key };
      });
      const user = { id: targetUserId, email: member.email, firstName: member.firstName, lastName: member.lastName, role };
      if (member.role === role) return { message: `${targetUserId} already has the role ${role}`, user };

      let membership: Json;
      try {
        const updated = await withClerkRetry(
          `PATCH /organizations/${organizationId}/memberships/${targetUserId}`,
          () => clerk.organizations.updateOrganizationMembership({ organizationId, userId: targetUserId, role }),
          REQUEST_RETRY,
        );
        membership = updated.raw as unknown as Json;
      } catch (error) {
        throw clerkFailure(error, `Clerk has no membership of ${targetUserId} in ${organizationId}`);
      }
      try {
        const status = await applyFromClerk(pools.webhook, req, 'organizationMembership.updated', membership);
        if (status === 'failed') logger.error({ membership: membership.id }, 'handle_clerk_event could not apply a role change; the ledger holds the error');
      } catch (error) {
        // Clerk has the change and will send its webhook (retried until it lands): still a success.
        logger.warn({ err: error, membership: membership.id }, 'role changed in Clerk but not yet in the database; the webhook will bring it');
      }
      return { message: `role of ${targetUserId} changed to ${role}`, user: { ...user, role: String(membership.role ?? role) } };
    }),
  );

  router.use([SYNC_USER_PATH, SET_ROLE_PATH], (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number; type?: string }).status;
    if (status === 400 || status === 413) return fail(res, status, status === 413 ? 'request body too large' : 'the body must be valid JSON');
    next(error);
  });
  return router;
}
