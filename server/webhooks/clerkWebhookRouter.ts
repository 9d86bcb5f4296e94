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
 * JSON that jsonb cannot hold: a \u0000 (data exception, class 22) or nesting deeper than
 * Postgres's stack allows (program limit, class 54). Raised by the parameter's cast, before the
 * function runs, so nothing was written.
 */
function isUnstorableJson(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

interface ParsedBody {
  /** What handle_clerk_event receives: the body, or the body as a JSON string when it is not JSON. */
  json: string;
  isJson: boolean;
  eventType: string;
  objectId: string | null;
}

/** A verified body that is not (storable) JSON is kept as the text received, which the database records failed. */
const asJsonString = (rawBody: Buffer) => JSON.stringify(rawBody.toString('utf8'));

/**
 * What the route needs of a verified body. svix has parsed it already (it does once the signature
 * matches), so the body is not parsed a second time: the text goes to the database as received.
 */
function readBody(rawBody: Buffer, payload: unknown): ParsedBody {
  if (payload === undefined) return { json: asJsonString(rawBody), isJson: false, eventType: 'unknown', objectId: null };
  const event = payload as { type?: unknown; data?: { id?: unknown } } | null;
  const eventType = typeof event?.type === 'string' ? event.type : 'unknown';
  const objectId = typeof event?.data?.id === 'string' ? event.data.id : null;
  return { json: rawBody.toString('utf8'), isJson: true, eventType, objectId };
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

    const body = readBody(rawBody, check.payload);
    let result: HandleClerkEventResult;
    try {
      try {
        result = await handleClerkEvent(pools.webhook, body.json, check.svixId);
      } catch (error) {
        if (!body.isJson || !isUnstorableJson(error)) throw error;
        result = await handleClerkEvent(pools.webhook, asJsonString(rawBody), check.svixId);
      }
    } catch (error) {
      const failure = classifyDatabaseError(error);
      reportDelivery(res, { svixId: check.svixId, eventType: body.eventType, objectId: body.objectId, outcome: failure.outcome, error: (error as Error).message });
      res.status(failure.httpStatus).json({ error: failure.error });
      return;
    }

    reportDelivery(res, {
      svixId: result.svix_id,
      eventType: result.event_type ?? body.eventType,
      objectId: result.object_id ?? null,
      outcome: result.status,
      ...(result.error && { error: `${result.error.code}: ${result.error.message}` }),
      ...(result.reason && { reason: result.reason }),
    });
    res.status(200).json(result);
  };

  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const status = (error as { status?: number }).status;
    if (res.headersSent || typeof status !== 'number' || status < 400 || status >= 500) {
      next(error);
      return;
    }
    // Refused before verification (too large, a compression that does not decode or is unknown):
    // counted among the verification failures, not charged to the address's budget.
    markVerificationFailure(res, status === 413 ? 'body_too_large' : 'malformed_body');
    const message = status === 413 ? `body larger than the ${config.webhookBodyLimitBytes}-byte limit` : (error as Error).message;
    logger.debug({ status, message }, 'webhook body refused');
    res.status(status).json({ error: message });
  };

  router.post('/', express.raw({ type: () => true, limit: config.webhookBodyLimitBytes }), handle, bodyErrors);
  return router;
}
