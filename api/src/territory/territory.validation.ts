import { getStates } from '@brazilian-utils/brazilian-utils';
import { BadUserInputError } from '../graphql/errors';
import { describeIbgeCodeProblem, ibgeCodeProblem } from './ibge-code';

const knownUfs = new Set(getStates().map((state) => state.code as string));

/** Upper-cases and checks UFs; an unknown one is a `BAD_USER_INPUT` listing what is accepted. */
export function validUfs(values: readonly string[], argument: string): string[] {
  return values.map((value) => {
    const uf = value.trim().toUpperCase();
    if (!knownUfs.has(uf)) {
      throw new BadUserInputError(
        `Unknown UF "${value}" in \`${argument}\`; expected one of ${[...knownUfs].sort().join(', ')}`,
        { argument },
      );
    }
    return uf;
  });
}

export function validUf(value: string, argument: string): string {
  return validUfs([value], argument)[0]!;
}

/** Checks a 7-digit IBGE code, check digit included. */
export function validIbgeCode(value: string, argument: string): string {
  const code = value.trim();
  const problem = ibgeCodeProblem(code);
  if (problem) {
    throw new BadUserInputError(`${describeIbgeCodeProblem(code, problem)} (in \`${argument}\`)`, {
      argument,
    });
  }
  return code;
}
