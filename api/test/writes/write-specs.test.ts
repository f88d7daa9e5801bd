import { isInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/graphql/schema';
import { rowIdentity } from '../../src/writes/write.fields';
import { writeSpecs } from '../../src/writes/write.registry';

/*
 * A written field is named in its spec's zod schema (which gives `fields`) and in the upsert input
 * class beside it. This holds the two together: a field added to one and not the other fails here,
 * not at a user's first write.
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
