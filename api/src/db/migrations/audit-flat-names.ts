/**
 * Issue 18: the import engine's flat records (and so its audit entries' `before`/`after`) named
 * related rows after the entity property (`healthRegion`); they now use the write spec's names
 * (`healthRegionCode`), as mutations always have. This renames the keys in the entries of the
 * engine's runs (import runs whose source is `import:<kind>`), REVERT entries included, so that
 * `revertImport` can still write an older run's rows back. A key is renamed only where present:
 * an update's entry lists only the fields it changed. Names as they were on 2026-12-04.
 */
const RENAMES: Record<string, [from: string, to: string][]> = {
  Event: [
    ['organization', 'organizationCode'],
    ['state', 'stateUf'],
    ['healthRegion', 'healthRegionCode'],
    ['municipality', 'municipalityIbgeCode'],
  ],
  Mandate: [
    ['person', 'personCode'],
    ['organization', 'organizationCode'],
    ['state', 'stateUf'],
    ['municipality', 'municipalityIbgeCode'],
    ['healthRegions', 'healthRegionCodes'],
  ],
  Participation: [
    ['event', 'eventCode'],
    ['person', 'personCode'],
    ['municipality', 'municipalityIbgeCode'],
  ],
  Adhesion: [
    ['municipality', 'ibgeCode'],
    ['program', 'programCode'],
  ],
  InstrumentStatus: [['municipality', 'ibgeCode']],
  HealthMacroregion: [['state', 'stateUf']],
  HealthRegion: [
    ['state', 'stateUf'],
    ['macroregion', 'macroregionCode'],
  ],
  Municipality: [
    ['state', 'stateUf'],
    ['macroregion', 'macroregionCode'],
    ['healthRegion', 'healthRegionCode'],
  ],
  RegionMembership: [
    ['municipality', 'ibgeCode'],
    ['healthRegion', 'healthRegionCode'],
  ],
  PopulationEstimate: [['municipality', 'ibgeCode']],
  MunicipalityName: [['municipality', 'ibgeCode']],
};

const ENGINE_RUNS = `"import_run_id" in (select "id" from "import_runs" where "source" = 'import:' || "kind")`;

/** One statement per entity type, column and key; `up` renames old → new, `down` back. */
export function auditFlatNameStatements(
  dialect: 'sqlite' | 'postgresql',
  direction: 'up' | 'down',
): string[] {
  const statements: string[] = [];
  for (const [entityType, renames] of Object.entries(RENAMES)) {
    for (const column of ['before', 'after']) {
      for (const [oldName, newName] of renames) {
        const [from, to] = direction === 'up' ? [oldName, newName] : [newName, oldName];
        const set =
          dialect === 'postgresql'
            ? `("${column}" - '${from}') || jsonb_build_object('${to}', "${column}" -> '${from}')`
            : `json_set(json_remove("${column}", '$.${from}'), '$.${to}', json("${column}" -> '$.${from}'))`;
        const has =
          dialect === 'postgresql'
            ? `"${column}" ? '${from}'`
            : `json_type("${column}", '$.${from}') is not null`;
        statements.push(
          `update "audit_entries" set "${column}" = ${set} where "entity_type" = '${entityType}' and ${has} and ${ENGINE_RUNS};`,
        );
      }
    }
  }
  return statements;
}
