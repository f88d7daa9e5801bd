import { getMunicipalities, getStates } from '@brazilian-utils/brazilian-utils';
import { describe, expect, it } from 'vitest';
import { ibgeCheckDigit, ibgeCodeProblem, toIbgeCode } from '../../src/territory/ibge-code';

describe('IBGE municipality codes', () => {
  const all = getStates().flatMap((state) => getMunicipalities(state.code));

  it('accepts every code of the shipped territory', () => {
    expect(all).toHaveLength(5571);
    expect(all.filter((municipality) => ibgeCodeProblem(municipality.code) !== null)).toEqual([]);
  });

  it('computes the check digit (Porto Alegre 431490 → 2)', () => {
    expect(ibgeCheckDigit('431490')).toBe(2);
    expect(ibgeCodeProblem('4314902')).toBeNull();
    expect(ibgeCodeProblem('4314903')).toBe('checkDigit');
    expect(ibgeCodeProblem('431490')).toBe('format');
    expect(ibgeCodeProblem('43149O2')).toBe('format');
  });

  it('maps 6-digit SUS codes to IBGE codes, legacy exceptions included', () => {
    const mapped = all.map((municipality) => toIbgeCode(municipality.code.slice(0, 6)));
    expect(mapped).toEqual(all.map((municipality) => municipality.code));
    expect(toIbgeCode('430587')).toBe('4305871'); // Coronel Barros keeps its pre-rule code
  });
});
