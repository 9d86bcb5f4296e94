// What an operation may cost, judged during graphql-js validation: Grafast plans only what passed
// validation, and planning a fragment bomb takes minutes and gigabytes while validating it takes
// milliseconds. Three limits, each counted with fragments expanded:
// - depth (graphql-armor's max-depth rule, which remembers each fragment's depth);
// - field selections, every alias counting as its own field;
// - list fan-out: the product of the page sizes along the deepest path, a collection without
//   `first`/`last` (or with a variable without a default) costed at the assumed page size.
// Negative literal page sizes and offsets are refused here too; negative variables are refused by
// Postgres and reported with the same code (maskError.ts).
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { SafeError } from 'postgraphile/grafast';
import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type ASTNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'postgraphile/graphql';

export interface CostLimits {
  /** Deepest field nesting, fragments expanded (`{ a { b } }` is 2). */
  maxDepth: number;
  /** Field selections in one operation, fragments expanded, aliases counted. */
  maxSelections: number;
  /** Product of page sizes along any path. */
  maxFanOut: number;
  /** What a collection without a literal `first`/`last` is assumed to return. */
  assumedPageSize: number;
}

export const DEFAULT_COST_LIMITS: CostLimits = { maxDepth: 12, maxSelections: 250, maxFanOut: 10_000, assumedPageSize: 100 };

/** `extensions.code` of each refusal; all are client errors (HTTP 400). */
export const COST_LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  selections: 'SELECTION_LIMIT_EXCEEDED',
  fanOut: 'FAN_OUT_LIMIT_EXCEEDED',
  pagination: 'INVALID_PAGINATION',
} as const;

function refusal(message: string, code: string, details: Record<string, unknown>, nodes?: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, ...details } });
}

const depthLimit = (limits: CostLimits): ValidationRule =>
  maxDepthRule({
    n: limits.maxDepth,
    flattenFragments: true,
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        const found = Number(/found (\d+)/.exec(error.message)?.[1]);
        (context as ValidationContext).reportError(
          refusal(`This query nests deeper than the ${limits.maxDepth} levels the API allows${Number.isFinite(found) ? ` (${found})` : ''}.`, COST_LIMIT_CODES.depth, {
            limit: limits.maxDepth,
            ...(Number.isFinite(found) ? { found } : {}),
          }),
        );
      },
    ],
  }) as unknown as ValidationRule;

interface SelectionCost {
  /** Field selections, fragments expanded. */
  fields: number;
  /** Largest product of page sizes along one path (1: no list). */
  fanOut: number;
}

const PAGE_SIZE_ARGUMENTS = ['first', 'last'];

/**
 * Counts selections and fan-out for each operation. A fragment is costed once and remembered, so a
 * fragment spread a billion times over costs as much to judge as it takes to write.
 */
const selectionLimits = (limits: CostLimits): ValidationRule => (context) => {
  const fragmentCosts = new Map<string, SelectionCost | 'visiting'>();
  let variableDefaults = new Map<string, ValueNode | undefined>();
  const reportedPagination = new Set<ASTNode>();

  const literalPageValue = (value: ValueNode, node: ASTNode, argument: string): number | undefined => {
    let resolved: ValueNode | undefined = value;
    if (value.kind === Kind.VARIABLE) resolved = variableDefaults.get(value.name.value);
    if (resolved?.kind !== Kind.INT) return undefined;
    const number = Number(resolved.value);
    if (number < 0 && !reportedPagination.has(node)) {
      reportedPagination.add(node);
      context.reportError(refusal(`\`${argument}\` must not be negative.`, COST_LIMIT_CODES.pagination, { argument }, node));
    }
    return Math.max(number, 0);
  };

  const pageSize = (field: GraphQLField<unknown, unknown> | undefined, node: FieldNode): number => {
    for (const argument of node.arguments ?? []) {
      if (argument.name.value === 'offset') literalPageValue(argument.value, argument, 'offset');
    }
    if (!field?.args.some((argument) => PAGE_SIZE_ARGUMENTS.includes(argument.name))) return 1;
    const given = (node.arguments ?? []).filter((argument) => PAGE_SIZE_ARGUMENTS.includes(argument.name.value));
    if (!given.length) return limits.assumedPageSize;
    return Math.max(...given.map((argument) => literalPageValue(argument.value, argument, argument.name.value) ?? limits.assumedPageSize));
  };

  const fieldsOf = (type: GraphQLNamedType | undefined) => (type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined);

  const costOf = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): SelectionCost => {
    let fields = 0;
    let fanOut = 1;
    for (const selection of selectionSet.selections) {
      let cost: SelectionCost;
      if (selection.kind === Kind.FIELD) {
        const field = fieldsOf(parentType)?.[selection.name.value];
        const inner = selection.selectionSet ? costOf(selection.selectionSet, field ? getNamedType(field.type) : undefined) : { fields: 0, fanOut: 1 };
        cost = { fields: 1 + inner.fields, fanOut: pageSize(field, selection) * inner.fanOut };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? context.getSchema().getType(selection.typeCondition.name.value) ?? undefined : parentType;
        cost = costOf(selection.selectionSet, type);
      } else {
        cost = fragmentCost(selection.name.value);
      }
      fields += cost.fields;
      fanOut = Math.max(fanOut, cost.fanOut);
    }
    return { fields, fanOut };
  };

  const fragmentCost = (name: string): SelectionCost => {
    const known = fragmentCosts.get(name);
    // A cycle is NoFragmentCyclesRule's to report; an unknown fragment KnownFragmentNamesRule's.
    if (known === 'visiting') return { fields: 0, fanOut: 1 };
    if (known) return known;
    const fragment = context.getFragment(name);
    if (!fragment) return { fields: 0, fanOut: 1 };
    fragmentCosts.set(name, 'visiting');
    const cost = costOf(fragment.selectionSet, context.getSchema().getType(fragment.typeCondition.name.value) ?? undefined);
    fragmentCosts.set(name, cost);
    return cost;
  };

  const refusalsOf = (operation: OperationDefinitionNode): GraphQLError[] => {
    variableDefaults = new Map((operation.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, definition.defaultValue]));
    const root = context.getSchema().getRootType(operation.operation) ?? undefined;
    const cost = costOf(operation.selectionSet, root);
    const refusals: GraphQLError[] = [];
    if (cost.fields > limits.maxSelections) {
      refusals.push(
        refusal(`This query selects ${cost.fields} fields (fragments expanded, aliases counted); the API allows ${limits.maxSelections}.`, COST_LIMIT_CODES.selections, {
          limit: limits.maxSelections,
          found: cost.fields,
        }, operation),
      );
    }
    if (cost.fanOut > limits.maxFanOut) {
      refusals.push(
        refusal(
          `This query could return ${cost.fanOut} rows along one path (page sizes multiplied, ${limits.assumedPageSize} assumed where none is given); the API allows ${limits.maxFanOut}. Ask for smaller pages with \`first\`.`,
          COST_LIMIT_CODES.fanOut,
          { limit: limits.maxFanOut, found: cost.fanOut },
          operation,
        ),
      );
    }
    return refusals;
  };

  return {
    // Judged on entering the document, before any other rule has looked at a selection set: some
    // of graphql-js's own rules are quadratic in the size of one (5,000 repeats of a field take
    // OverlappingFieldsCanBeMerged seconds), so a document over the limits stops validation here.
    Document(document) {
      const refusals = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? refusalsOf(definition) : []));
      if (refusals.length) {
        // A SafeError leaves validation at once, and grafserv answers it with its status code.
        throw new SafeError(refusals.map((error) => error.message).join(' '), { statusCode: 400, ...refusals[0].extensions });
      }
    },
  };
};

/** Adds the cost limits to grafserv's validation rules, after graphql-js's own. */
export function costLimitsPlugin(limits: CostLimits = DEFAULT_COST_LIMITS): GraphileConfig.Plugin {
  return {
    name: 'CostLimitsPlugin',
    description: 'Refuses operations too deep, too wide or fanning out too far, during validation',
    version: '1.0.0',
    grafserv: {
      middleware: {
        setPreset(next, event) {
          event.validationRules.push(depthLimit(limits), selectionLimits(limits));
          return next();
        },
      },
    },
  };
}
