import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../src/security/document-guard';

const limits = {
  maxDepth: 12,
  maxAliases: 50,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxStringLength: 100,
};

/** The guard's message for `text` under `limits` with `overrides`, or null when it passes. */
const refusal = (text: string, overrides: Partial<typeof limits> = {}): string | null =>
  checkDocument(text, { ...limits, ...overrides })?.message ?? null;

describe('document guard: depth', () => {
  it('counts field levels, not inline fragments, and refuses above the limit', () => {
    const inline = `{ ... on Query { a { ... on A { ... on A { b { ... on B { c } } } } } } }`;
    expect(refusal(inline, { maxDepth: 3 })).toBeNull();
    expect(refusal(inline, { maxDepth: 2 })).toBe(
      'Query depth limit of 2 exceeded, found 3 (MAX_DEPTH)',
    );
  });

  it('follows a fragment at the depth of each spread', () => {
    const text = `{ x { ...F } y { z { ...F } } } fragment F on T { a { b } }`;
    expect(refusal(text, { maxDepth: 3 })).toBe(
      'Query depth limit of 3 exceeded, found 4 (MAX_DEPTH)',
    );
    expect(refusal(text, { maxDepth: 4 })).toBeNull();
  });

  it('leaves introspection fields out of the depth', () => {
    const text = `{ __schema { types { fields { type { ofType { name } } } } } __type(name: "A") { fields { name } } }`;
    expect(refusal(text, { maxDepth: 1 })).toBeNull();
    expect(refusal(`{ a { __schema { b { c } } } }`, { maxDepth: 1 })).toBeNull();
  });

  it('measures each operation on its own and names the first one over a limit', () => {
    const text = `query A { a { b } } query B { a { b { c } } }`;
    expect(refusal(text, { maxDepth: 2 })).toBe(
      'Query depth limit of 2 exceeded, found 3 (MAX_DEPTH)',
    );
    expect(refusal(`query A { a b } query B { a: a b: b }`, { maxAliases: 2 })).toBeNull();
  });

  it('passes fragment cycles and unknown fragments to validation, cutting a cycle where it closes', () => {
    expect(
      refusal(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, {
        maxDepth: 1,
        maxAliases: 1,
        maxDirectives: 1,
      }),
    ).toBeNull();
    expect(refusal(`{ a { ...Missing } }`, { maxDepth: 1 })).toBeNull();
    // A cycle through fields: A holds two levels before it spreads itself again.
    const throughFields = `{ ...A } fragment A on Query { a { b { ...A } } }`;
    expect(refusal(throughFields, { maxDepth: 2 })).toBeNull();
    expect(refusal(throughFields, { maxDepth: 1 })).toBe(
      'Query depth limit of 1 exceeded, found 2 (MAX_DEPTH)',
    );
    // A fragment is measured once per document, where it is first reached: B first (A cut at B),
    // so the second operation sees A at 2 levels, not the 3 it holds when reached on its own.
    const shared = `query One { ...B } query Two { ...A }
      fragment A on Query { a { b { ...B } } } fragment B on Query { ...A c }`;
    expect(refusal(shared, { maxDepth: 2 })).toBeNull();
    expect(
      refusal(`query Two { ...A } ${shared.slice(shared.indexOf('fragment'))}`, { maxDepth: 2 }),
    ).toBe('Query depth limit of 2 exceeded, found 3 (MAX_DEPTH)');
  });

  it('survives a document nested as deep as the token limit allows', () => {
    const levels = 1_600;
    const deep = `{ ${'a { '.repeat(levels)}b${' }'.repeat(levels)} }`;
    expect(refusal(deep)).toBe(`Query depth limit of 12 exceeded, found ${levels + 1} (MAX_DEPTH)`);
  });

  it('survives inline fragments nested as deep as the token limit allows', () => {
    const levels = 900;
    const deep = `{ ${'... on Query { '.repeat(levels)}a1: a${' }'.repeat(levels)} }`;
    expect(refusal(deep)).toBeNull();
    expect(refusal(deep, { maxDepth: 0 })).toBe(
      'Query depth limit of 0 exceeded, found 1 (MAX_DEPTH)',
    );
    expect(refusal(deep, { maxAliases: 0 })).toBe(
      'Aliases limit of 0 exceeded, found 1 (MAX_ALIASES)',
    );
  });
});

describe('document guard: aliases and directives', () => {
  it('counts aliases in the operation and in each fragment once, however often it is spread', () => {
    const text = `{ r1: a { ...F } r2: a { ...F ...F } } fragment F on T { x1: f x2: f ... on T { x3: f } }`;
    expect(refusal(text, { maxAliases: 5 })).toBeNull();
    expect(refusal(text, { maxAliases: 4 })).toBe(
      'Aliases limit of 4 exceeded, found 5 (MAX_ALIASES)',
    );
  });

  it('counts aliases below introspection fields too', () => {
    expect(
      refusal(`{ __schema { t1: types { name } t2: types { name } } }`, { maxAliases: 1 }),
    ).toBe('Aliases limit of 1 exceeded, found 2 (MAX_ALIASES)');
  });

  it('counts directives of the operation, fields, inline fragments, every spread and each fragment once', () => {
    // Operation 1, a 1, two spreads 2, inline fragment 1, F's definition 1, x 1 (F reached twice,
    // counted once); the directive of the variable definition is not counted.
    const text = `query Q($v: Int @d) @d { a @d { ...F @d } b { ...F @d } ... on Query @d { c } }
      fragment F on T @d { x @d }`;
    expect(refusal(text, { maxDirectives: 7 })).toBeNull();
    expect(refusal(text, { maxDirectives: 6 })).toBe(
      'Directives limit of 6 exceeded, found 7 (MAX_DIRECTIVES)',
    );
  });

  it('checks depth, then aliases, then directives', () => {
    const text = `{ a1: a @d { a2: b @d { c } } }`;
    expect(refusal(text, { maxDepth: 1, maxAliases: 1, maxDirectives: 1 })).toMatch(/MAX_DEPTH/);
    expect(refusal(text, { maxAliases: 1, maxDirectives: 1 })).toMatch(/MAX_ALIASES/);
    expect(refusal(text, { maxDirectives: 1 })).toMatch(/MAX_DIRECTIVES/);
  });
});

describe('document guard: string literals', () => {
  const long = 'x'.repeat(101);

  it('refuses a long or NUL-holding literal wherever it sits, before the shape', () => {
    for (const text of [
      `{ a(s: "${long}") }`,
      `query ($s: String = "${long}") { a(s: $s) }`,
      `{ a @d(s: "${long}") }`,
      `{ a(f: { g: [{ h: "${long}" }] }) }`,
      `{ ...F } fragment F on Query { a(s: """${long}""") }`,
    ]) {
      expect(refusal(text, { maxDepth: 0 }), text.slice(0, 30)).toBe(
        'A string literal is 101 characters long; the limit is 100 (MAX_STRING_LENGTH)',
      );
    }
    expect(refusal(`{ a(s: "a\\u0000b") }`)).toBe(
      'A string literal contains a NUL character (\\u0000), which no field accepts',
    );
    expect(refusal(`{ a(s: "${'x'.repeat(100)}", e: ENUM_VALUE) }`)).toBeNull();
  });

  it('names the last bad literal of the document', () => {
    expect(refusal(`{ a(s: "${long}") b(s: "\\u0000") }`)).toMatch(/NUL character/);
    expect(refusal(`{ b(s: "\\u0000") a(s: "${long}") }`)).toMatch(/101 characters long/);
  });

  it('survives an input object nested as deep as the token limit allows', () => {
    const levels = 1_200;
    const nested = `{ a(f: ${'{ g: '.repeat(levels)}"${long}"${' }'.repeat(levels)}) }`;
    expect(refusal(nested)).toMatch(/101 characters long/);
  });
});

describe('document guard: what it leaves to Apollo', () => {
  it('passes syntax errors and documents over the token limit', () => {
    expect(refusal(`{ a(s: "${'x'.repeat(200)}" `)).toBeNull();
    expect(refusal(`{ ${'a '.repeat(100)} }`, { maxTokens: 50 })).toBeNull();
  });
});
