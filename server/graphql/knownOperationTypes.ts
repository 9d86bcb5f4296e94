// graphql-js 16 validates an operation against a schema without its root type (a `subscription`
// where there is no Subscription type) and only fails while planning, which reads as an internal error. This rule refuses it up front as a client error.
import { GraphQLError, type ValidationRule } from 'postgraphile/graphql';

const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }[node.operation];
    if (!root) {
      context.reportError(new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: node }));
    }
  },
});

export const KnownOperationTypesPlugin: GraphileConfig.Plugin = {
  name: 'KnownOperationTypesPlugin',
  description: 'Refuses operations whose root type the schema does not have, during validation',
  version: '1.0.0',
  grafserv: {
    middleware: {
      setPreset(next, event) {
        event.validationRules.push(knownOperationTypes);
        return next();
      },
    },
  },
};
