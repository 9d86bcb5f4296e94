// One log line per request, written when the response is done. For a webhook delivery that
// line is the delivery's record: svix-id, event type, object id, outcome and duration.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import { deliveryOf, refusalOf, verificationFailureOf } from './delivery.ts';

/** Polled by orchestrators and Prometheus: logged at debug so they do not drown the deliveries. */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** An upstream request id is kept when it is a plain token (it ends up in every line of the request). */
const UPSTREAM_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Express sets originalUrl on every request it handles, before any middleware (this one included) runs. */
function pathOf(req: IncomingMessage): string {
  return (req as Request).originalUrl.split('?')[0];
}

function deliveryFields(res: ServerResponse) {
  const delivery = deliveryOf(res);
  const verificationFailure = verificationFailureOf(res);
  const refusal = refusalOf(res);
  return {
    ...(delivery && {
      svixId: delivery.svixId,
      eventType: delivery.eventType,
      objectId: delivery.objectId,
      outcome: delivery.outcome,
      ...(delivery.error && { error: delivery.error }),
      ...(delivery.reason && { reason: delivery.reason }),
    }),
    ...(verificationFailure && { verificationFailure }),
    ...(refusal && { refusal }),
  };
}

export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const upstream = req.headers['x-request-id'];
      const id = typeof upstream === 'string' && UPSTREAM_REQUEST_ID.test(upstream) ? upstream : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    // An allowlist: headers carry signatures, tokens and cookies, so none are logged.
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: req.url, ip: (req.raw as Request).ip }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
    customAttributeKeys: { responseTime: 'durationMs' },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500 || deliveryOf(res)?.outcome === 'failed') return 'error';
      // A delivery from another Clerk instance is a misconfigured endpoint: someone should look.
      if (res.statusCode >= 400 || deliveryOf(res)?.reason === 'foreign_instance') return 'warn';
      return PROBE_PATHS.has(pathOf(req)) ? 'debug' : 'info';
    },
    customSuccessObject: (_req, res, fields) => ({ ...fields, ...deliveryFields(res) }),
    // For a plain 5xx answer pino-http invents an Error with a stack pointing into itself: the
    // status and the delivery's own error say more, so only thrown errors are kept.
    customErrorObject: (_req, res, error, { err, ...fields }) => ({
      ...(error.message !== `failed with status code ${res.statusCode}` && { err }),
      ...fields,
      ...deliveryFields(res),
    }),
    customSuccessMessage: (req, res) => {
      const delivery = deliveryOf(res);
      return delivery ? `delivery ${delivery.outcome}` : `${req.method} ${pathOf(req)} ${res.statusCode}`;
    },
    customErrorMessage: (req, res) => {
      const delivery = deliveryOf(res);
      return delivery ? `delivery ${delivery.outcome}` : `${req.method} ${pathOf(req)} ${res.statusCode}`;
    },
  });
}
