import { registerEnumType } from 'type-graphql';

/** What municipalities (and the questions asked of them) can be grouped by. */
export enum MunicipalityDimension {
  UF = 'UF',
  MACROREGION = 'MACROREGION',
  HEALTH_REGION = 'HEALTH_REGION',
  SIZE_CLASS = 'SIZE_CLASS',
  SIZE_CLASS_COARSE = 'SIZE_CLASS_COARSE',
  MANAGEMENT_TYPE = 'MANAGEMENT_TYPE',
  CAPITAL = 'CAPITAL',
}
registerEnumType(MunicipalityDimension, {
  name: 'MunicipalityDimension',
  description:
    'Group municipalities by state, health macroregion, health region (current), IBGE size class, coarse size class, management type or capital/interior.',
});

export enum EventDimension {
  KIND = 'KIND',
  MONTH = 'MONTH',
  YEAR = 'YEAR',
  UF = 'UF',
  HEALTH_REGION = 'HEALTH_REGION',
  MODALITY = 'MODALITY',
  ORGANIZATION = 'ORGANIZATION',
}
registerEnumType(EventDimension, {
  name: 'EventDimension',
  description:
    'Group events by kind, month or year of the start date, state, health region, modality or organiser.',
});

export enum AdhesionDimension {
  PROGRAM = 'PROGRAM',
  STATUS = 'STATUS',
  UF = 'UF',
  MACROREGION = 'MACROREGION',
  HEALTH_REGION = 'HEALTH_REGION',
  SIZE_CLASS = 'SIZE_CLASS',
  SIZE_CLASS_COARSE = 'SIZE_CLASS_COARSE',
}
registerEnumType(AdhesionDimension, {
  name: 'AdhesionDimension',
  description:
    "Group adhesions by program, status (APPROVED past validity reads EXPIRED), or the municipality's state, macroregion, region or size class.",
});

export enum InstrumentDimension {
  INSTRUMENT = 'INSTRUMENT',
  PERIOD = 'PERIOD',
  STATUS = 'STATUS',
  UF = 'UF',
  MACROREGION = 'MACROREGION',
  HEALTH_REGION = 'HEALTH_REGION',
  SIZE_CLASS = 'SIZE_CLASS',
}
registerEnumType(InstrumentDimension, {
  name: 'InstrumentDimension',
  description:
    "Group instrument statuses by instrument, period, status, or the municipality's state, macroregion, region or size class.",
});
