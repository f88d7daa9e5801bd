import { filterInput, list } from '../graphql/filters';
import { validIbgeCode, validUfs } from '../territory/territory.validation';
import type { Adhesion } from './adhesion.entity';
import type { InstrumentStatus } from './instrument-status.entity';
import { AdhesionStatus, Instrument, InstrumentStatusValue } from './programs.enums';

/** Conditions on the row's municipality (state, health region, IBGE code) shared by both filters. */
const municipalityScope = {
  uf: list(String, (ufs) => ({
    municipality: { state: { uf: { $in: validUfs(ufs, 'filter.uf') } } },
  })),
  healthRegionCode: list(String, (codes) => ({
    municipality: { healthRegion: { code: { $in: codes } } },
  })),
  municipalityIbgeCode: list(String, (codes) => ({
    municipality: {
      ibgeCode: { $in: codes.map((code) => validIbgeCode(code, 'filter.municipalityIbgeCode')) },
    },
  })),
};

export const [AdhesionFilter, adhesionWhere] = filterInput<Adhesion>()(
  'AdhesionFilter',
  {
    programCode: list(String, (codes) => ({ program: { code: { $in: codes } } })),
    status: list(AdhesionStatus, (status) => ({ status: { $in: status } }), {
      description: 'Stored status (EXPIRED is also derived from validUntil).',
    }),
    ...municipalityScope,
  },
  { join: '$and' },
);
export type AdhesionFilter = InstanceType<typeof AdhesionFilter>;

export const [InstrumentStatusFilter, instrumentStatusWhere] = filterInput<InstrumentStatus>()(
  'InstrumentStatusFilter',
  {
    instrument: list(Instrument, (instrument) => ({ instrument: { $in: instrument } })),
    period: list(String, (periods) => ({ period: { $in: periods } })),
    status: list(InstrumentStatusValue, (status) => ({ status: { $in: status } })),
    ...municipalityScope,
  },
  { join: '$and' },
);
export type InstrumentStatusFilter = InstanceType<typeof InstrumentStatusFilter>;
