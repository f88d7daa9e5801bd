import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type SelectionSetNode,
} from 'graphql';

/** A document's fragments by name, as graphql-js's `info.fragments` or a map. */
export type Fragments =
  ReadonlyMap<string, FragmentDefinitionNode> | Readonly<Record<string, FragmentDefinitionNode>>;

export interface FieldWalk {
  /** Whether a fragment with this type condition applies where it is spread (default: always). */
  applies?(typeCondition: string): boolean;
  /** Called for a selection or fragment that carries directives; throw to refuse them. */
  directive?(): void;
  /** Called for a spread of a fragment the document lacks (default: it adds nothing). */
  unknownFragment?(name: string): void;
}

function fragmentNamed(fragments: Fragments, name: string): FragmentDefinitionNode | undefined {
  return fragments instanceof Map
    ? fragments.get(name)
    : (fragments as Readonly<Record<string, FragmentDefinitionNode>>)[name];
}

/**
 * The one walk over a document's selections: the fields of `sets`, in document order, with
 * inline fragments and fragment spreads flattened (a spread inside itself adds nothing). Reads,
 * read planning and saved queries all see a selection through it.
 */
export function fieldsOf(
  sets: SelectionSetNode | readonly SelectionSetNode[],
  fragments: Fragments,
  walk: FieldWalk = {},
): FieldNode[] {
  const fields: FieldNode[] = [];
  const visiting = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.directives?.length) {
        walk.directive?.();
      }
      if (selection.kind === Kind.FIELD) {
        fields.push(selection);
        continue;
      }
      let fragment: FragmentDefinitionNode | InlineFragmentNode;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        fragment = selection;
      } else {
        const name = selection.name.value;
        const defined = fragmentNamed(fragments, name);
        if (!defined) {
          walk.unknownFragment?.(name);
          continue;
        }
        if (visiting.has(name)) {
          continue;
        }
        if (defined.directives?.length) {
          walk.directive?.();
        }
        fragment = defined;
      }
      const condition = fragment.typeCondition?.name.value;
      if (condition === undefined || !walk.applies || walk.applies(condition)) {
        const spread = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        if (spread !== null) {
          visiting.add(spread);
        }
        visit(fragment.selectionSet);
        if (spread !== null) {
          visiting.delete(spread);
        }
      }
    }
  };
  for (const set of Array.isArray(sets) ? sets : [sets as SelectionSetNode]) {
    visit(set);
  }
  return fields;
}

/** A field's response key: its alias, else its name. */
export const responseKey = (field: FieldNode): string => field.alias?.value ?? field.name.value;

/**
 * graphql-js's field collection over `fieldsOf`: the fields by response key in first-seen order,
 * same-key fields merged (their selections are read together).
 */
export function fieldsByKey(
  sets: SelectionSetNode | readonly SelectionSetNode[],
  fragments: Fragments,
  walk: FieldWalk = {},
): Map<string, FieldNode[]> {
  const byKey = new Map<string, FieldNode[]>();
  for (const field of fieldsOf(sets, fragments, walk)) {
    const key = responseKey(field);
    const same = byKey.get(key);
    if (same) {
      same.push(field);
    } else {
      byKey.set(key, [field]);
    }
  }
  return byKey;
}

/** The selection sets below these field nodes. */
export const subSelections = (nodes: readonly FieldNode[]): SelectionSetNode[] =>
  nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
