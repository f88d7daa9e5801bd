import {
  Kind,
  visit,
  type ArgumentNode,
  type ASTVisitor,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { BadUserInputError } from './errors';

function oversized(node: ArgumentNode, maxPageSize: number): boolean {
  return (
    (node.name.value === 'first' || node.name.value === 'last') &&
    node.value.kind === Kind.INT &&
    Number(node.value.value) > maxPageSize
  );
}

function hasOversizedPage(document: DocumentNode, maxPageSize: number): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      found ||= oversized(node, maxPageSize);
    },
  });
  return found;
}

/**
 * Rejects literal `first`/`last` over the maximum page size while validating, with a message
 * naming the limit. Values passed as variables are checked when the connection resolves
 * (see `pageWindow`).
 */
export function pageSizeRule(maxPageSize: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Argument(node) {
      if (oversized(node, maxPageSize)) {
        context.reportError(
          new BadUserInputError(
            `\`${node.name.value}\` is over the maximum page size of ${maxPageSize} (got ${(node.value as { value: string }).value}); page with \`after\`/\`before\``,
            { argument: node.name.value, maxPageSize },
          ),
        );
      }
    },
  });
}

/**
 * The cost limit multiplies by `first`/`last`, so an oversized page would also be reported as
 * "too costly"; skip it for such documents so the client reads the one error that helps.
 */
export function unlessPageOversized(rule: ValidationRule, maxPageSize: number): ValidationRule {
  return (context) => (hasOversizedPage(context.getDocument(), maxPageSize) ? {} : rule(context));
}
