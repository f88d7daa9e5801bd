/** User-facing text: Portuguese first, English available. Keys are stable; messages are not. */
export type Locale = 'pt-BR' | 'en';

const ptBR = {
  menuTitle: 'Rede Hub',
  menuOpen: 'Abrir painel',
  menuRefreshAll: 'Atualizar todas as tabelas',
  menuPush: 'Enviar alterações',
  sidebarTitle: 'Rede Hub',
  tabConnect: 'Conectar',
  tabQueries: 'Consultas',
  tabTables: 'Tabelas',
  tabPush: 'Enviar',
  serverUrl: 'Endereço do servidor',
  apiKey: 'Chave de API',
  connect: 'Conectar',
  disconnect: 'Desconectar',
  connectedAs: 'Conectado como {name} ({role}{scope})',
  scopeState: ', estado {uf}',
  scopeNational: ', nacional',
  notConnected: 'Não conectado',
  savedQueries: 'Consultas salvas',
  writeQuery: 'Escrever consulta',
  queryText: 'Consulta GraphQL',
  variables: 'Variáveis',
  required: 'obrigatório',
  insert: 'Inserir na célula selecionada',
  refresh: 'Atualizar',
  refreshAll: 'Atualizar todas',
  schedule: 'Agendar atualização',
  scheduleOff: 'Desligado',
  scheduleHourly: 'A cada hora',
  scheduleDaily: 'Diariamente',
  lastRun: 'Última execução: {at} — {outcome}',
  neverRun: 'Nunca executado',
  preview: 'Pré-visualizar alterações',
  push: 'Enviar alterações',
  noTables: 'Nenhuma tabela vinculada nesta planilha.',
  noChanges: 'Nenhuma alteração para enviar.',
  language: 'Idioma',
  inserted: '{rows} linhas inseridas em {sheet}!{cell}.',
  continuing: '{rows} linhas até agora; a carga continua em segundo plano.',
  refreshed: '{rows} linhas atualizadas; {kept} com alterações locais mantidas.',
  pushSummary:
    '{created} criadas, {updated} atualizadas, {unchanged} sem mudança, {conflicts} conflitos, {invalid} inválidas, {forbidden} proibidas.',
  previewSummary: 'Pré-visualização: {summary}',
  statusCreated: 'Criada (versão {version})',
  statusUpdated: 'Atualizada (versão {version})',
  statusUnchanged: 'Sem mudança',
  statusConflict:
    'CONFLITO: outra pessoa alterou esta linha (versão {version} no servidor). Sua edição foi mantida na planilha; valores atuais no servidor:\n{current}',
  statusInvalid: 'INVÁLIDA:\n{errors}',
  statusForbidden: 'PROIBIDA: sua chave não pode alterar esta linha.',
  pendingLocal: 'Alteração local ainda não enviada (mantida na atualização).',
  resolveMine: 'Manter minhas versões nos conflitos',
  resolveTheirs: 'Usar as versões do servidor',
  resolved: '{count} conflitos resolvidos.',
  keptMine: 'Sua versão será enviada sobre a versão {version} do servidor no próximo envio.',
  errorPrefix: '#ERRO: {message}',
  errNotConnected: 'conecte-se ao Rede Hub no painel (Extensões › Rede Hub › Abrir painel)',
  errUnreachable: 'servidor inacessível ({detail})',
  errHttp: 'o servidor respondeu {status}: {detail}',
  errUnauthenticated: 'chave de API inválida ou revogada',
  errServer: '{detail}',
  errNoTableHere: 'selecione uma célula dentro de uma tabela vinculada',
  errNotEditable: 'esta tabela ({type}) não aceita envio de alterações',
  errMissingColumn: 'a tabela precisa da coluna "{column}" para enviar alterações',
  errBadNumber: 'linha {row}, coluna "{column}": "{value}" não é um número',
  errBadBoolean: 'linha {row}, coluna "{column}": "{value}" não é verdadeiro/falso',
  errBadVariable: 'variável ${name}: {reason}',
  errRequired: 'é obrigatória',
  errNotJson: 'não é JSON válido',
  errUnknownField: 'campo desconhecido "{field}"',
  errNotFound: 'não encontrado: {what}',
  errTooLong: 'a consulta passou de {seconds} s; use uma tabela vinculada',
} as const;

export type MessageKey = keyof typeof ptBR;

const en: Record<MessageKey, string> = {
  menuTitle: 'Rede Hub',
  menuOpen: 'Open sidebar',
  menuRefreshAll: 'Refresh all tables',
  menuPush: 'Push changes',
  sidebarTitle: 'Rede Hub',
  tabConnect: 'Connect',
  tabQueries: 'Queries',
  tabTables: 'Tables',
  tabPush: 'Push',
  serverUrl: 'Server URL',
  apiKey: 'API key',
  connect: 'Connect',
  disconnect: 'Disconnect',
  connectedAs: 'Connected as {name} ({role}{scope})',
  scopeState: ', state {uf}',
  scopeNational: ', national',
  notConnected: 'Not connected',
  savedQueries: 'Saved queries',
  writeQuery: 'Write a query',
  queryText: 'GraphQL query',
  variables: 'Variables',
  required: 'required',
  insert: 'Insert at the selected cell',
  refresh: 'Refresh',
  refreshAll: 'Refresh all',
  schedule: 'Scheduled refresh',
  scheduleOff: 'Off',
  scheduleHourly: 'Hourly',
  scheduleDaily: 'Daily',
  lastRun: 'Last run: {at} — {outcome}',
  neverRun: 'Never run',
  preview: 'Preview changes',
  push: 'Push changes',
  noTables: 'No bound tables in this spreadsheet.',
  noChanges: 'No changes to push.',
  language: 'Language',
  inserted: '{rows} rows inserted at {sheet}!{cell}.',
  continuing: '{rows} rows so far; loading continues in the background.',
  refreshed: '{rows} rows refreshed; {kept} with local edits kept.',
  pushSummary:
    '{created} created, {updated} updated, {unchanged} unchanged, {conflicts} conflicts, {invalid} invalid, {forbidden} forbidden.',
  previewSummary: 'Preview: {summary}',
  statusCreated: 'Created (version {version})',
  statusUpdated: 'Updated (version {version})',
  statusUnchanged: 'Unchanged',
  statusConflict:
    'CONFLICT: someone else changed this row (version {version} on the server). Your edit is kept in the sheet; current server values:\n{current}',
  statusInvalid: 'INVALID:\n{errors}',
  statusForbidden: 'FORBIDDEN: your key may not change this row.',
  pendingLocal: 'Local edit not pushed yet (kept on refresh).',
  resolveMine: 'Keep my versions of conflicts',
  resolveTheirs: 'Take the server’s versions',
  resolved: '{count} conflicts resolved.',
  keptMine: 'Your version will be pushed over server version {version} next time.',
  errorPrefix: '#ERROR: {message}',
  errNotConnected: 'connect to Rede Hub in the sidebar (Extensions › Rede Hub › Open sidebar)',
  errUnreachable: 'server unreachable ({detail})',
  errHttp: 'the server answered {status}: {detail}',
  errUnauthenticated: 'API key unknown or revoked',
  errServer: '{detail}',
  errNoTableHere: 'select a cell inside a bound table',
  errNotEditable: 'this table ({type}) does not accept pushed changes',
  errMissingColumn: 'the table needs a "{column}" column to push changes',
  errBadNumber: 'row {row}, column "{column}": "{value}" is not a number',
  errBadBoolean: 'row {row}, column "{column}": "{value}" is not true/false',
  errBadVariable: 'variable ${name}: {reason}',
  errRequired: 'is required',
  errNotJson: 'is not valid JSON',
  errUnknownField: 'unknown field "{field}"',
  errNotFound: 'not found: {what}',
  errTooLong: 'the query took over {seconds} s; use a bound table',
};

const catalogs: Record<Locale, Record<MessageKey, string>> = { 'pt-BR': ptBR, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'pt-BR' || value === 'en';
}

/** `{name}` placeholders are replaced from `params`; unknown ones are left visible. */
export function translate(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return catalogs[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function catalog(locale: Locale): Record<MessageKey, string> {
  return catalogs[locale];
}

/** An error whose message is already in the user's words (key + params, rendered late). */
export class AddonError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(translate('pt-BR', key, params));
    this.name = 'AddonError';
  }

  render(locale: Locale): string {
    return translate(locale, this.key, this.params);
  }
}
