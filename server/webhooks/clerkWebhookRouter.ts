// POST /api/webhooks/clerk: verify the Svix signature over the raw bytes, then hand the event to
// the database in one call, app_private.handle_clerk_event, and answer by its result (the
// response policy). Mounted before any JSON parser. The request log line and the metrics read
// the delivery report this route leaves on the response (server/observability/delivery.ts).
import express, { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import type { AppServices } from '../services.ts';
import { handleClerkEvent, isTransientSqlState, sqlStateOf, type HandleClerkEventResult } from '../database/clerkEvents.ts';
import { markVerificationFailure, reportDelivery } from '../observability/delivery.ts';
import { verificationFailureReason, type VerificationLimiter } from '../observability/verificationLimiter.ts';
import { createClerkSignatureVerifier } from './verifyClerkSignature.ts';

type Failure = { httpStatus: 500 | 503; outcome: string; error: string };

/** How to answer a failed database call; errors without a SQLSTATE are connection failures. */
function classifyDatabaseError(error: unknown): Failure {
  const code = sqlStateOf(error);
  if (code === undefined || isTransientSqlState(code)) {
    return { httpStatus: 503, outcome: 'unavailable', error: 'database temporarily unavailable, retry later' };
  }
  return { httpStatus: 500, outcome: 'error', error: 'internal error' };
}

/**
 * A verified body that jsonb cannot hold: not JSON at all or with a \u0000 (data exception, class
 * 22), or nested deeper than Postgres's stack allows (program limit, class 54). Raised by the
 * parameter's cast, before the function runs, so nothing was written.
 */
function isUnstorableJson(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('54'));
}

/** Such a body is kept as the text received (a JSON string), which the database records failed. */
const asJsonString = (rawBody: Buffer) => JSON.stringify(rawBody.toString('utf8'));

/**
 * The type and object id of a verified body, for the report of a delivery the database could not
 * take. svix has parsed the body already (undefined when it is not JSON), so it is not parsed again.
 */
function describeEvent(payload: unknown): { eventType: string; objectId: string | null } {
  const event = payload as { type?: unknown; data?: { id?: unknown } } | null | undefined;
  return {
    eventType: typeof event?.type === 'string' ? event.type : 'unknown',
    objectId: typeof event?.data?.id === 'string' ? event.data.id : null,
  };
}

export function clerkWebhookRouter({ config, logger, pools }: AppServices, verificationLimiter: VerificationLimiter): Router {
  const verify = createClerkSignatureVerifier(config.clerk.webhookSecrets);
  const router = Router();

  const handle = async (req: Request, res: Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verify(rawBody, req.headers);
    if (!check.verified) {
      await verificationLimiter.refuse(req, res, verificationFailureReason(check.error), check.message);
      return;
    }

    // The text goes to the database as received; what it cannot take as JSON goes again as a string.
    let result: HandleClerkEventResult;
    try {
      try {
        result = await handleClerkEvent(pools.webhook, rawBody.toString('utf8'), check.svixId);
      } catch (error) {
        if (!isUnstorableJson(error)) throw error;
        result = await handleClerkEvent(pools.webhook, asJsonString(rawBody), check.svixId);
      }
    } catch (error) {
      const failure = classifyDatabaseError(error);
      reportDelivery(res, { svixId: check.svixId, ...describeEvent(check.payload), outcome: failure.outcome, error: (error as Error).message });
      res.status(failure.httpStatus).json({ error: failure.error });
      return;
    }

    reportDelivery(res, {
      svixId: result.svix_id,
      eventType: result.event_type ?? 'unknown',
      objectId: result.object_id ?? null,
      outcome: result.status,
      ...(result.error && { error: `${result.error.code}: ${result.error.message}` }),
      ...(result.reason && { reason: result.reason }),
    });
    res.status(200).json(result);
  };

  // What express.raw could not read (over the limit, a compression that is unknown or does not
  // decode) is answered with its status: counted among the verification failures, not charged to
  // the address's budget. Placed before the handler, it sees only the body reader's errors.
  const bodyErrors: ErrorRequestHandler = (error: { status: number; message: string }, _req, res, _next) => {
    markVerificationFailure(res, error.status === 413 ? 'body_too_large' : 'malformed_body');
    res.status(error.status).json({ error: error.status === 413 ? `body larger than the ${config.webhookBodyLimitBytes}-byte limit` : error.message });
  };

  router.post('/', express.raw({ type: () => true, limit: config.webhookBodyLimitBytes }), bodyErrors, handle);
  return router;
}
