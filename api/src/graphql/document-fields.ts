import {
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
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
  /** Whether to walk into this spread (default: yes); a spread inside itself is cut before. */
  follows?(name: string, fragment: FragmentDefinitionNode): boolean;
  /** Called with a selection or fragment that carries directives; throw to refuse them. */
  directive?(node: { readonly directives?: readonly DirectiveNode[] }): void;
  /** Called for a spread of a fragment the document lacks (default: it adds nothing). */
  unknownFragment?(name: string): void;
}

/** A document's fragment definitions by name. */
export const fragmentsOf = (document: DocumentNode): Map<string, FragmentDefinitionNode> =>
  new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );

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
  const walkSet = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.directives?.length) {
        walk.directive?.(selection);
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
        if (visiting.has(name) || (walk.follows && !walk.follows(name, defined))) {
          continue;
        }
        if (defined.directives?.length) {
          walk.directive?.(defined);
        }
        fragment = defined;
      }
      const condition = fragment.typeCondition?.name.value;
      if (condition === undefined || !walk.applies || walk.applies(condition)) {
        const spread = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        if (spread !== null) {
          visiting.add(spread);
        }
        walkSet(fragment.selectionSet);
        if (spread !== null) {
          visiting.delete(spread);
        }
      }
    }
  };
  for (const set of Array.isArray(sets) ? sets : [sets as SelectionSetNode]) {
    walkSet(set);
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

/**
 * The deepest field nesting below each of `sets`: a fragment counts at every spread with the depth
 * it was measured at when first reached (once per call), a spread inside itself adds nothing, and
 * so does a field `ignored` answers yes for. graphql-js's `visit` keeps its own stack, so only
 * chains of fragments nest calls.
 */
export function depthsOf(
  sets: readonly SelectionSetNode[],
  fragments: Fragments,
  ignored: (field: FieldNode) => boolean,
): number[] {
  const measured = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (set: SelectionSetNode): number => {
    let level = 0;
    let deepest = 0;
    visit(set, {
      Field: {
        enter(field) {
          if (ignored(field)) {
            return false;
          }
          level += 1;
          deepest = Math.max(deepest, level);
          return undefined;
        },
        leave() {
          level -= 1;
        },
      },
      FragmentSpread({ name: { value: name } }) {
        const fragment = fragmentNamed(fragments, name);
        if (!fragment || visiting.has(name)) {
          return;
        }
        if (!measured.has(name)) {
          visiting.add(name);
          measured.set(name, depth(fragment.selectionSet));
          visiting.delete(name);
        }
        deepest = Math.max(deepest, level + measured.get(name)!);
      },
    });
    return deepest;
  };
  return sets.map((set) => depth(set));
}
