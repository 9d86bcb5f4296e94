// What GraphQL clients learn from a failure. Postgres errors never reach them verbatim (they name
// tables, constraints, functions); a privilege or row-level-security refusal becomes one clear
// FORBIDDEN error; what the client caused (a negative page size, a value a table refuses, a query
// that ran out of time) gets its own code, and a timeout or page-size refusal a warn log without a
// stack; anything else is logged at error with a reference the client can quote.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'postgraphile/graphql';
import { isSafeError } from 'postgraphile/grafast';
import type { Logger } from '../logger.ts';

// SQLSTATE 42501 insufficient_privilege: a missing GRANT, or a write refused by a policy.
const INSUFFICIENT_PRIVILEGE = '42501';
// 57014 query_canceled: statement_timeout fired (the visitor pool sets it per transaction).
const QUERY_CANCELED = '57014';
// 2201W/2201X: a negative LIMIT or OFFSET, which is what a negative `first`/`offset` variable becomes.
const NEGATIVE_PAGINATION = new Set(['2201W', '2201X']);

export const FORBIDDEN_MESSAGE = 'Permission denied: your session may not read or change this data.';

// no_data_found, raised by the tables visitors write when an update or delete matched no row: the
// message names the table and nothing else, so it is the client's answer.
const NO_DATA_FOUND = 'P0002';

// Integrity constraint violations: the client sent a value the schema refuses. The answer names
// the kind of problem, never the constraint (which could tell rows of other organizations apart).
const INTEGRITY_MESSAGES: Record<string, string> = {
  '23502': 'A required value is missing.',
  '23503': 'A referenced row does not exist in your organization (or is still referenced).',
  '23505': 'A row with this value already exists.',
  '23514': 'A value is outside what this field accepts.',
};

export const CLIENT_ERROR_CODES = {
  statementTimeout: 'STATEMENT_TIMEOUT',
  planningTimeout: 'PLANNING_TIMEOUT',
  executionTimeout: 'EXECUTION_TIMEOUT',
  pagination: 'INVALID_PAGINATION',
} as const;

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Grafast marks its planning and execution timeouts with a `timeout` symbol in the extensions. */
function grafastTimeoutOf(error: Error): 'planning' | 'execution' | undefined {
  const extensions = (error as { extensions?: object }).extensions;
  if (!extensions) return undefined;
  const symbol = Object.getOwnPropertySymbols(extensions).find((candidate) => candidate.description === 'timeout');
  if (!symbol) return undefined;
  return typeof (extensions as Record<symbol, unknown>)[symbol] === 'number' ? 'planning' : 'execution';
}

export function createMaskError(logger: Logger, limits: { statementTimeoutMs: number }) {
  const clientError = (error: GraphQLError, original: Error, message: string, code: string) => {
    logger.warn({ code, reason: original.message, sqlState: sqlStateOf(original), path: error.path }, 'GraphQL request refused');
    return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code } });
  };
  return (error: GraphQLError): GraphQLError => {
    const original = error.originalError;
    // Parse and validation errors, and errors GraphQL itself raises, describe the query: keep them.
    if (!original || original instanceof GraphQLError) return error;
    const location = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
    if (isSafeError(original)) {
      const timeout = grafastTimeoutOf(original);
      if (timeout) {
        return clientError(error, original, original.message, timeout === 'planning' ? CLIENT_ERROR_CODES.planningTimeout : CLIENT_ERROR_CODES.executionTimeout);
      }
      return new GraphQLError(original.message, { ...location, originalError: original, extensions: original.extensions ?? {} });
    }
    const sqlState = sqlStateOf(original);
    if (sqlState === INSUFFICIENT_PRIVILEGE) {
      return new GraphQLError(FORBIDDEN_MESSAGE, { ...location, extensions: { code: 'FORBIDDEN' } });
    }
    if (sqlState === NO_DATA_FOUND) {
      return new GraphQLError(original.message, { ...location, extensions: { code: 'NOT_FOUND' } });
    }
    if (sqlState && INTEGRITY_MESSAGES[sqlState]) {
      return new GraphQLError(INTEGRITY_MESSAGES[sqlState], { ...location, extensions: { code: 'BAD_USER_INPUT' } });
    }
    if (sqlState === QUERY_CANCELED) {
      return clientError(error, original, `The query ran longer than the ${limits.statementTimeoutMs} ms the API allows and was cancelled. Ask for fewer rows.`, CLIENT_ERROR_CODES.statementTimeout);
    }
    if (sqlState && NEGATIVE_PAGINATION.has(sqlState)) {
      return clientError(error, original, '`first`, `last` and `offset` must not be negative.', CLIENT_ERROR_CODES.pagination);
    }
    const reference = randomUUID();
    logger.error({ err: original, sqlState, path: error.path, reference }, 'GraphQL request failed');
    return new GraphQLError(`An unexpected error occurred (reference ${reference}).`, {
      ...location,
      extensions: { code: 'INTERNAL_SERVER_ERROR', reference },
    });
  };
}
