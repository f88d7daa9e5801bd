import { expect } from 'vitest';
import { type GraphQLResponse, type TestApp } from '../helpers';

/**
 * Sends a read three times and requires the same answer each time: Apollo answers the first and
 * compiles the document, compiled reads answer the others when every field is catalogued, so a
 * rule that holds here holds on both paths. Returns the answer and the SQL statements the last
 * request ran (1 when a compiled read answered an anonymous request).
 */
export async function readThrice<T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T> & { lastStatements: number }> {
  const answers: GraphQLResponse<T>[] = [];
  let lastStatements = 0;
  for (let i = 0; i < 3; i += 1) {
    t.statements.reset();
    answers.push(await t.gql<T>(query, variables, headers));
    lastStatements = t.statements.count;
  }
  expect(answers[1], `second answer to ${query}`).toEqual(answers[0]);
  expect(answers[2], `third answer to ${query}`).toEqual(answers[0]);
  return { ...answers[0]!, lastStatements };
}
