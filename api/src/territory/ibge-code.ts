/**
 * IBGE municipality codes: 2 digits of state, 4 of municipality and a check digit computed with
 * weights 1,2,1,2,1,2 over the first six digits (products over 9 have their digits summed).
 * DATASUS/SUS systems use the first six digits only.
 */
export function ibgeCheckDigit(sixDigits: string): number {
  if (!/^\d{6}$/.test(sixDigits)) {
    throw new Error(`expected 6 digits, got "${sixDigits}"`);
  }
  let sum = 0;
  for (let i = 0; i < 6; i += 1) {
    const product = Number(sixDigits[i]) * (i % 2 === 0 ? 1 : 2);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A handful of municipalities were coded before the check-digit rule and keep codes whose last
 * digit does not follow it; IBGE lists them as valid. Source: IBGE's code table (DTB).
 */
const LEGACY_CODES = new Set([
  '2201919', // Bom Princípio do Piauí
  '2201988', // Brejo do Piauí
  '2202251', // Canavieira
  '2611533', // Quixaba
  '3117836', // Cônego Marinho
  '3152131', // Ponto Chique
  '4305871', // Coronel Barros
  '5203939', // Buriti de Goiás
  '5203962', // Buritinópolis
]);

/**
 * The state's two-digit IBGE code that a municipality, region or macroregion code starts with
 * (after the `D` of a demo region's or macroregion's code).
 */
export function stateCodeOf(code: string): string {
  return code.replace(/^D/, '').slice(0, 2);
}

export type IbgeCodeProblem = 'format' | 'checkDigit';

/** Why a 7-digit code is not valid, or null when it is. */
export function ibgeCodeProblem(code: string): IbgeCodeProblem | null {
  if (!/^\d{7}$/.test(code)) {
    return 'format';
  }
  if (LEGACY_CODES.has(code)) {
    return null;
  }
  return ibgeCheckDigit(code.slice(0, 6)) === Number(code[6]) ? null : 'checkDigit';
}

export function describeIbgeCodeProblem(code: string, problem: IbgeCodeProblem): string {
  switch (problem) {
    case 'format':
      return /^\d{6}$/.test(code)
        ? `"${code}" is a 6-digit SUS code; the IBGE code has 7 digits: ${toIbgeCode(code)}`
        : `"${code}" is not an IBGE municipality code: expected 7 digits (e.g. 4314902)`;
    case 'checkDigit':
      return `"${code}" has a wrong check digit: the 7th digit should be ${ibgeCheckDigit(code.slice(0, 6))}`;
  }
}

/** Turns a 6-digit SUS code into the 7-digit IBGE code, or checks a 7-digit one. */
export function toIbgeCode(code: string): string {
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    const known = [...LEGACY_CODES].find((legacy) => legacy.startsWith(trimmed));
    return known ?? `${trimmed}${ibgeCheckDigit(trimmed)}`;
  }
  return trimmed;
}
