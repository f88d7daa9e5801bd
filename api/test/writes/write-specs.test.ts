import { GraphQLSchema, isInputObjectType, printType } from 'graphql';
import { buildSchemaSync, Query, registerEnumType, Resolver } from 'type-graphql';
import { z } from 'zod';
import { upsertInput } from '../../src/writes/write.input';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/graphql/schema';
import { rowIdentity } from '../../src/writes/write.fields';
import { writeSpecs } from '../../src/writes/write.registry';

/*
 * A written field is named once, in its spec's zod schema: it gives the spec its `fields` and the
 * GraphQL upsert input its fields (`upsertInput`).
 */
describe.each([...writeSpecs.values()].map((spec) => [spec.typeName, spec] as const))(
  'write spec %s',
  (_name, spec) => {
    it('takes exactly the fields its GraphQL upsert input has', async () => {
      const input = (await buildAppSchema()).getType(spec.input.name);
      expect(isInputObjectType(input), `${spec.input.name} is an input type`).toBe(true);
      const inputFields = Object.keys(isInputObjectType(input) ? input.getFields() : {});
      const written = [
        ...Object.keys(rowIdentity),
        ...spec.fields,
        ...(spec.transientFields ?? []),
      ];
      expect(new Set(inputFields)).toEqual(new Set(written));
      expect(written).toHaveLength(inputFields.length);
    });

    it('requires on create only fields it has', () => {
      expect(spec.fields).toEqual(expect.arrayContaining([...spec.requiredOnCreate]));
    });

    it('keeps input-only fields out of the stored ones', () => {
      for (const field of spec.transientFields ?? []) {
        expect(spec.fields).not.toContain(field);
      }
      expect(spec.fields.length).toBeGreaterThan(0);
    });
  },
);

enum Colour {
  RED = 'RED',
  BLUE = 'BLUE',
}
registerEnumType(Colour, { name: 'SpecTestColour' });

describe('upsertInput', () => {
  it('makes each GraphQL field from its zod rule: type, nullability, description', () => {
    const Input = upsertInput(
      'SpecTestInput',
      z
        .object({
          id: z.string().nullish(),
          code: z.string().trim().min(1).describe('Natural key.'),
          count: z.number().int().min(0).nullish(),
          share: z.number().min(0).max(1).nullish(),
          open: z.boolean().nullish(),
          colour: z.enum(Colour).nullish(),
          tags: z.array(z.string().trim()).max(3).nullish(),
          uf: z
            .string()
            .transform((value) => value.toUpperCase())
            .nullish(),
        })
        .describe('A test input.'),
    );
    @Resolver()
    class SpecTestResolver {
      @Query(() => Boolean)
      specTest(): boolean {
        return true;
      }
    }
    const built = buildSchemaSync({
      resolvers: [SpecTestResolver],
      orphanedTypes: [Input],
      authChecker: () => true,
    });
    const type = (built as GraphQLSchema).getType('SpecTestInput')!;
    expect(printType(type)).toBe(
      [
        '"""A test input."""',
        'input SpecTestInput {',
        '  id: ID',
        '',
        '  """Natural key."""',
        '  code: String!',
        '  count: Int',
        '  share: Float',
        '  open: Boolean',
        '  colour: SpecTestColour',
        '  tags: [String!]',
        '  uf: String',
        '}',
      ].join('\n'),
    );
  });

  it('refuses a zod type it has no GraphQL type for, naming the field', () => {
    expect(() => upsertInput('SpecTestBad', z.object({ when: z.date().nullish() }))).toThrow(
      'SpecTestBad.when: no GraphQL input type for a zod date',
    );
  });
});
