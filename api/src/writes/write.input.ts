import { Field, Float, ID, InputType, Int } from 'type-graphql';
import type { z } from 'zod';

type Zod = z.ZodType;

/** The GraphQL type of a zod field, once unwrapped (see `upsertInput`). */
function graphqlTypeOf(where: string, schema: Zod): unknown {
  const def = schema.def as { type: string; element?: Zod };
  switch (def.type) {
    case 'string':
      return String;
    case 'boolean':
      return Boolean;
    case 'number':
      return (schema as z.ZodNumber).isInt ? Int : Float;
    case 'enum':
      // `z.enum(SomeEnum)` keeps the enum object, which `registerEnumType` registered.
      return (schema as z.ZodEnum).enum;
    case 'array':
      return [graphqlTypeOf(where, unwrapped(def.element!).inner)];
    default:
      throw new Error(`${where}: no GraphQL input type for a zod ${def.type}`);
  }
}

/** A field's value schema without its optional/nullable/transform wrappers. */
export function unwrapped(schema: Zod): { inner: Zod; nullable: boolean; description?: string } {
  let inner = schema;
  let nullable = false;
  let description = schema.description;
  for (;;) {
    const def = inner.def as { type: string; in?: Zod };
    if (def.type === 'optional' || def.type === 'nullable') {
      nullable = true;
      inner = (inner as z.ZodOptional).unwrap() as Zod;
    } else if (def.type === 'pipe') {
      inner = def.in!;
    } else {
      return { inner, nullable, description };
    }
    description ??= inner.description;
  }
}

/**
 * The GraphQL upsert input of a write spec, made from its zod schema, so that the fields a
 * mutation takes and the rules they are checked by are one list. A field is nullable unless the
 * schema requires it; text is a String, an integer an Int, another number a Float, `z.enum(E)`
 * the registered enum `E`, an array a list; `id` is an ID; `.describe()` gives the description
 * (of a field, or of the input when on the object).
 */
export function upsertInput(name: string, schema: z.ZodObject): new () => object {
  const Input = { [name]: class {} }[name]!;
  for (const [field, declared] of Object.entries(schema.shape)) {
    const { inner, nullable, description } = unwrapped(declared as Zod);
    const type = field === 'id' ? ID : graphqlTypeOf(`${name}.${field}`, inner);
    Field(() => type as never, { nullable, description })(Input.prototype, field);
  }
  InputType(name, { description: schema.description })(Input);
  return Input;
}
