// What an anonymous visitor may learn about the schema. In production they get neither
// introspection (`__schema`, `__type`) nor graphql-js's "Did you mean …?" hints, which would spell
// out field names one guess at a time; signed-in visitors (the frontend's developers) keep both.
// Validation results are cached per query text for every visitor, so both are decided per request:
// introspection before execution, suggestions in the answer.
import type { IncomingMessage } from 'node:http';
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from 'postgraphile/graphql';
import type { Result } from 'postgraphile/grafserv';

export const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** Whether any operation or fragment of the document selects `__schema` or `__type`. */
function selectsIntrospection(document: DocumentNode): boolean {
  const visit = (selectionSet: SelectionSetNode | undefined): boolean =>
    !!selectionSet?.selections.some((selection) =>
      selection.kind === Kind.FIELD ? INTROSPECTION_FIELDS.has(selection.name.value) || visit(selection.selectionSet) : selection.kind === Kind.INLINE_FRAGMENT && visit(selection.selectionSet),
    );
  return document.definitions.some(
    (definition) => (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) && visit(definition.selectionSet),
  );
}

const SUGGESTION = / Did you mean [^?]*\?/g;

function withoutSuggestions(result: Result | null): Result | null {
  if (result?.type !== 'buffer' || result.buffer.length > 64 * 1024) return result;
  const text = result.buffer.toString('utf8');
  if (!text.includes(' Did you mean ')) return result;
  const buffer = Buffer.from(text.replace(SUGGESTION, ''), 'utf8');
  return { ...result, buffer, headers: { ...result.headers, 'content-length': String(buffer.length) } };
}

export function anonymousSurfacePlugin(isAnonymous: (req: IncomingMessage) => boolean, graphqlPath: string): GraphileConfig.Plugin {
  const anonymous = (req: IncomingMessage | undefined) => !req || isAnonymous(req);
  return {
    name: 'AnonymousSurfacePlugin',
    description: 'Refuses introspection and removes field suggestions for anonymous visitors',
    version: '1.0.0',
    grafast: {
      middleware: {
        execute(next, event) {
          const { document, requestContext } = event.args;
          if (anonymous(requestContext?.node?.req) && selectsIntrospection(document)) {
            return { errors: [new GraphQLError('Introspection is available to signed-in visitors only.', { extensions: { code: INTROSPECTION_DISABLED } })] };
          }
          return next();
        },
      },
    },
    grafserv: {
      middleware: {
        async processRequest(next, event) {
          const result = await next();
          if (event.requestDigest.path !== graphqlPath) return result;
          const req = (event.requestDigest.requestContext as { node?: { req?: IncomingMessage } }).node?.req;
          return anonymous(req) ? withoutSuggestions(result) : result;
        },
      },
    },
  };
}
