// What GraphQL clients learn from a failure. Postgres errors never reach them verbatim (they name
// tables, constraints, functions); a privilege or row-level-security refusal becomes one clear
// FORBIDDEN error; anything unexpected is logged with a reference the client can quote.
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'postgraphile/graphql';
import { isSafeError } from 'postgraphile/grafast';
import type { Logger } from '../logger.ts';

// SQLSTATE 42501 insufficient_privilege: a missing GRANT, or a write refused by a policy.
const INSUFFICIENT_PRIVILEGE = '42501';

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

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function createMaskError(logger: Logger) {
  return (error: GraphQLError): GraphQLError => {
    const original = error.originalError;
    // Parse and validation errors, and errors GraphQL itself raises, describe the query: keep them.
    if (!original || original instanceof GraphQLError) return error;
    const location = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
    if (isSafeError(original)) {
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
    const reference = randomUUID();
    logger.error({ err: original, sqlState: sqlStateOf(original), path: error.path, reference }, 'GraphQL request failed');
    return new GraphQLError(`An unexpected error occurred (reference ${reference}).`, {
      ...location,
      extensions: { code: 'INTERNAL_SERVER_ERROR', reference },
    });
  };
}
