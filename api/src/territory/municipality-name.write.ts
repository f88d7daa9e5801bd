import { importTarget, ufOfMunicipality } from '../imports/import.targets';
import { MunicipalityName } from './municipality-name.entity';

/** How the import engine writes MunicipalityName rows (flat, related rows by natural key). */
export const municipalityNameTarget = importTarget(
  MunicipalityName,
  'ibgeCode=municipality:Municipality name knownFrom knownTo',
  {
    keyFields: 'ibgeCode name',
    lookup: 'ibgeCode',
    stateUfOf: ufOfMunicipality,
  },
);
