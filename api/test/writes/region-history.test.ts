import { describe, expect, it } from 'vitest';
import { regionChangeSteps, type MembershipSpan } from '../../src/territory/region-history';

const span = (
  id: number,
  regionCode: string,
  validFrom: string | null,
  validTo: string | null,
): MembershipSpan => ({ id, regionCode, validFrom, validTo });

describe('regionChangeSteps: moving a municipality between health regions', () => {
  it('does nothing when the region does not change', () => {
    expect(
      regionChangeSteps({
        from: '43001',
        to: '43001',
        effectiveFrom: '2025-07-01',
        memberships: [span(1, '43001', '2020-01-01', null)],
      }),
    ).toEqual({ steps: [] });
  });

  it('closes the current membership on the effective day and opens the next from it', () => {
    expect(
      regionChangeSteps({
        from: '43001',
        to: '43002',
        effectiveFrom: '2025-07-01',
        memberships: [span(1, '43001', '2020-01-01', null)],
      }),
    ).toEqual({
      steps: [
        { kind: 'close', membershipId: 1, validTo: '2025-07-01' },
        { kind: 'open', regionCode: '43002', validFrom: '2025-07-01', validTo: null },
      ],
    });
  });

  it('records the old region of a municipality without history first', () => {
    expect(
      regionChangeSteps({
        from: '43001',
        to: '43002',
        effectiveFrom: '2025-07-01',
        memberships: [],
      }),
    ).toEqual({
      steps: [
        { kind: 'open', regionCode: '43001', validFrom: null, validTo: '2025-07-01' },
        { kind: 'open', regionCode: '43002', validFrom: '2025-07-01', validTo: null },
      ],
    });
  });

  it('only closes when the municipality leaves every region', () => {
    expect(
      regionChangeSteps({
        from: '43001',
        to: null,
        effectiveFrom: '2025-07-01',
        memberships: [span(1, '43001', null, null)],
      }),
    ).toEqual({ steps: [{ kind: 'close', membershipId: 1, validTo: '2025-07-01' }] });
  });

  it('corrects the region of a membership that began on the effective day', () => {
    expect(
      regionChangeSteps({
        from: '43001',
        to: '43002',
        effectiveFrom: '2025-07-01',
        memberships: [span(1, '43001', '2025-07-01', null)],
      }),
    ).toEqual({ steps: [{ kind: 'retarget', membershipId: 1, regionCode: '43002' }] });
  });

  it('refuses a day before the current membership began', () => {
    const plan = regionChangeSteps({
      from: '43001',
      to: '43002',
      effectiveFrom: '2019-12-31',
      memberships: [span(1, '43001', '2020-01-01', null)],
    });
    expect(plan).toEqual({
      problem: expect.stringContaining('before the current membership began'),
    });
  });

  it('refuses a move that would overlap a recorded later membership', () => {
    const plan = regionChangeSteps({
      from: null,
      to: '43002',
      effectiveFrom: '2020-01-01',
      memberships: [span(1, '43001', '2021-01-01', '2022-01-01')],
    });
    expect(plan).toEqual({ problem: expect.stringContaining('would overlap memberships') });
  });
});
