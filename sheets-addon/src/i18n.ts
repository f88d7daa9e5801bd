/** User-facing text: Portuguese first, English available. Keys are stable; messages are not. */
export type Locale = 'pt-BR' | 'en';

const ptBR = {
  menuOpen: 'Abrir painel',
  menuRefreshAll: 'Atualizar todas as tabelas',
  menuPush: 'Enviar alterações…',
  sidebarTitle: 'Rede Hub',
  tabConnect: 'Conectar',
  tabQueries: 'Consultas',
  tabTables: 'Tabelas',
  tabPush: 'Enviar',
  hub: 'Servidor',
  apiKey: 'Sua chave de API',
  apiKeyHint:
    'Cada pessoa usa a própria chave. Ela fica guardada só na sua conta Google, nunca na planilha.',
  connect: 'Conectar',
  disconnect: 'Desconectar',
  connectedAs: 'Conectado como {name} ({role}{scope})',
  scopeState: ', estado {uf}',
  scopeNational: ', nacional',
  notConnected: 'Não conectado',
  formulasTitle: 'Fórmulas desta planilha',
  formulasHelp:
    'As fórmulas =REDE_MUNICIPIO e =REDE_CONSULTA nunca usam a chave de uma pessoa: o Google as executa sem saber quem digitou. Elas leem com uma chave de leitura (READER) desta planilha, ou sem chave quando o servidor permite leitura anônima.',
  formulasToken: 'Fórmulas leem com a chave de leitura “{name}”, definida por {by} em {at}.',
  formulasAnonymous:
    'Nenhuma chave de leitura: as fórmulas leem sem chave (funciona só se o servidor permitir leitura anônima).',
  readerToken: 'Chave de leitura (READER) para as fórmulas',
  saveReaderToken: 'Usar nas fórmulas',
  clearReaderToken: 'Remover a chave das fórmulas',
  savedQueries: 'Consultas salvas',
  writeQuery: 'Escrever consulta',
  queryText: 'Consulta GraphQL',
  variables: 'Variáveis',
  required: 'obrigatório',
  target: 'Onde inserir',
  targetCursor: 'Na célula selecionada',
  targetNewSheet: 'Numa nova aba',
  insert: 'Inserir tabela',
  occupied:
    'A área {range} já tem {filled} células preenchidas. Nada foi escrito: substitua o conteúdo ou insira numa nova aba.',
  overwrite: 'Substituir o conteúdo',
  useNewSheet: 'Inserir numa nova aba',
  cancel: 'Cancelar',
  chooseQuery: 'escolha uma consulta salva ou escreva uma',
  refresh: 'Atualizar',
  refreshAll: 'Atualizar todas',
  schedule: 'Atualização automática',
  scheduleOff: 'Desligada',
  scheduleHourly: 'A cada hora',
  scheduleDaily: 'Diariamente, às 6h',
  scheduleNone: 'Desligada nesta planilha.',
  scheduleMine:
    'Ligada ({frequency}) por você: roda com a sua conta e a sua chave, mesmo com a planilha fechada.',
  scheduleOwned:
    'Ligada ({frequency}) por {owner}: roda com a conta e a chave dessa pessoa. Só ela desliga, ou alguém assume.',
  takeOver: 'Assumir a atualização automática',
  lastRun: 'Última execução: {at} — {outcome}',
  neverRun: 'Nunca executada',
  progress: 'Carregando “{table}”: {rows} de {total} linhas ({percent}%)…',
  progressNoTotal: 'Carregando “{table}”: {rows} linhas até agora…',
  progressFinishing: 'Gravando “{table}” na planilha ({rows} linhas)…',
  preview: 'Pré-visualizar alterações',
  push: 'Enviar alterações',
  noTables: 'Nenhuma tabela vinculada nesta planilha.',
  noChanges: 'Nenhuma alteração para enviar.',
  language: 'Idioma',
  inserted: '{rows} linhas inseridas em {sheet}!{cell}.',
  continuing: '{rows} linhas até agora; continua na próxima execução.',
  refreshed: '{rows} linhas atualizadas; {kept} com alterações locais mantidas.',
  waiting: 'aguardando: o tempo desta execução acabou; continua na próxima',
  failed: 'falhou ({attempts}ª tentativa): {message}',
  busySkipped: 'outra pessoa estava usando a planilha; tenta de novo na próxima execução',
  pushSummary:
    '{created} criadas, {updated} atualizadas, {unchanged} sem mudança, {conflicts} conflitos, {invalid} inválidas, {forbidden} proibidas.',
  previewSummary: 'Pré-visualização: {summary}',
  previewFirst: 'Confira a pré-visualização e clique em “Enviar alterações” para enviar.',
  statusCreated: 'Criada (versão {version})',
  statusUpdated: 'Atualizada (versão {version})',
  statusUnchanged: 'Sem mudança',
  statusConflict:
    'CONFLITO: outra pessoa alterou esta linha (versão {version} no servidor). Sua edição foi mantida; diferenças:\n{differences}',
  statusInvalid: 'INVÁLIDA:\n{errors}',
  statusForbidden: 'PROIBIDA: {detail}',
  pendingLocal: 'Alteração local ainda não enviada (mantida na atualização).',
  conflictsTitle: 'Conflitos — escolha linha a linha',
  conflictRow: 'Linha {row} ({key})',
  field: 'Campo',
  mine: 'Minha versão',
  theirs: 'No servidor',
  keepMine: 'Manter a minha',
  takeTheirs: 'Usar a do servidor',
  applyChoices: 'Aplicar escolhas',
  resolved: '{count} conflitos resolvidos.',
  keptMine: 'Sua versão será enviada sobre a versão {version} do servidor no próximo envio.',
  truncatedRows:
    '… resultado truncado: mostrando {rows} de {total} linhas (limite das fórmulas). Para tudo, insira uma tabela pelo painel.',
  truncatedTime:
    '… resultado truncado: mostrando {rows} linhas; a fórmula chegou ao limite de 30 s. Para tudo, insira uma tabela pelo painel.',
  headerNote: 'Campo: {path}',
  errorPrefix: '#ERRO: {message}',
  errNotConnected: 'conecte-se ao Rede Hub no painel (Extensões › Rede Hub › Abrir painel)',
  errUnreachable: 'servidor inacessível ({detail})',
  errHttp: 'o servidor respondeu {status}: {detail}',
  errUnauthenticated: 'chave de API inválida ou revogada',
  errServer: '{detail}',
  errForbidden: 'sua chave não tem permissão para isso ({detail})',
  errBadInput: 'o servidor recusou os dados: {detail}',
  errRateLimited: 'muitas requisições em pouco tempo; aguarde um minuto e tente de novo',
  errTimeout: 'o servidor demorou demais para responder; tente de novo',
  errUnavailable: 'o servidor está indisponível no momento; tente de novo em alguns minutos',
  errTooComplex: 'a consulta é grande ou profunda demais para o servidor ({detail})',
  errInternal: 'erro interno do servidor (requisição {request})',
  errInvalidQuery: 'a consulta não é válida: {detail}',
  errNoTableHere: 'selecione uma célula dentro de uma tabela vinculada',
  errTableGone:
    'a tabela “{table}” não existe mais nesta planilha (a aba ou o intervalo foi apagado)',
  errNotEditable: 'esta tabela ({type}) não aceita envio de alterações',
  errMissingColumn: 'a tabela precisa da coluna “{column}” para enviar alterações',
  errBadNumber: 'linha {row}, coluna “{column}”: “{value}” não é um número',
  errBadBoolean: 'linha {row}, coluna “{column}”: “{value}” não é verdadeiro/falso',
  errBadEnum: 'linha {row}, coluna “{column}”: “{value}” não é uma das opções ({options})',
  errEmptyKey: 'linha {row}: {columns} vazio',
  errBadVariable: 'variável ${name}: {reason}',
  errRequired: 'é obrigatória',
  errNotJson: 'não é JSON válido',
  errUnknownField: 'campo desconhecido “{field}”',
  errNotFound: 'não encontrado: {what}',
  errBusy:
    'outra pessoa (ou uma atualização automática) está atualizando ou enviando esta planilha agora; tente de novo em instantes',
  errScheduleOwned:
    'a atualização automática já está ligada por {owner}; use “Assumir” para que ela passe a rodar com a sua conta',
  errReaderRole:
    'use uma chave de leitura (papel READER): a chave das fórmulas fica na planilha e vale para todos os editores; esta chave é {role}',
  errNeedsReaderToken:
    'as fórmulas desta planilha precisam de uma chave de leitura (painel › Conectar › Fórmulas desta planilha)',
} as const;

export type MessageKey = keyof typeof ptBR;

const en: Record<MessageKey, string> = {
  menuOpen: 'Open sidebar',
  menuRefreshAll: 'Refresh all tables',
  menuPush: 'Push changes…',
  sidebarTitle: 'Rede Hub',
  tabConnect: 'Connect',
  tabQueries: 'Queries',
  tabTables: 'Tables',
  tabPush: 'Push',
  hub: 'Server',
  apiKey: 'Your API key',
  apiKeyHint:
    'Everyone uses their own key. It is kept in your Google account only, never in the sheet.',
  connect: 'Connect',
  disconnect: 'Disconnect',
  connectedAs: 'Connected as {name} ({role}{scope})',
  scopeState: ', state {uf}',
  scopeNational: ', national',
  notConnected: 'Not connected',
  formulasTitle: 'Formulas of this spreadsheet',
  formulasHelp:
    'The =REDE_MUNICIPIO and =REDE_CONSULTA formulas never use a person’s key: Google runs them without knowing who typed them. They read with this spreadsheet’s reader (READER) key, or without a key when the server allows anonymous reads.',
  formulasToken: 'Formulas read with the reader key “{name}”, set by {by} on {at}.',
  formulasAnonymous:
    'No reader key: formulas read without a key (works only if the server allows anonymous reads).',
  readerToken: 'Reader (READER) key for formulas',
  saveReaderToken: 'Use for formulas',
  clearReaderToken: 'Remove the formulas’ key',
  savedQueries: 'Saved queries',
  writeQuery: 'Write a query',
  queryText: 'GraphQL query',
  variables: 'Variables',
  required: 'required',
  target: 'Where to insert',
  targetCursor: 'At the selected cell',
  targetNewSheet: 'In a new tab',
  insert: 'Insert table',
  occupied:
    'The area {range} already has {filled} filled cells. Nothing was written: replace the content or insert in a new tab.',
  overwrite: 'Replace the content',
  useNewSheet: 'Insert in a new tab',
  cancel: 'Cancel',
  chooseQuery: 'pick a saved query or write one',
  refresh: 'Refresh',
  refreshAll: 'Refresh all',
  schedule: 'Scheduled refresh',
  scheduleOff: 'Off',
  scheduleHourly: 'Hourly',
  scheduleDaily: 'Daily at 6 am',
  scheduleNone: 'Off in this spreadsheet.',
  scheduleMine:
    'On ({frequency}) by you: runs with your account and key, even with the sheet closed.',
  scheduleOwned:
    'On ({frequency}) by {owner}: runs with that person’s account and key. Only they turn it off, or someone takes it over.',
  takeOver: 'Take over the scheduled refresh',
  lastRun: 'Last run: {at} — {outcome}',
  neverRun: 'Never run',
  progress: 'Loading “{table}”: {rows} of {total} rows ({percent}%)…',
  progressNoTotal: 'Loading “{table}”: {rows} rows so far…',
  progressFinishing: 'Writing “{table}” into the sheet ({rows} rows)…',
  preview: 'Preview changes',
  push: 'Push changes',
  noTables: 'No bound tables in this spreadsheet.',
  noChanges: 'No changes to push.',
  language: 'Language',
  inserted: '{rows} rows inserted at {sheet}!{cell}.',
  continuing: '{rows} rows so far; continues in the next execution.',
  refreshed: '{rows} rows refreshed; {kept} with local edits kept.',
  waiting: 'waiting: this execution ran out of time; continues in the next',
  failed: 'failed (attempt {attempts}): {message}',
  busySkipped: 'someone else was using the spreadsheet; retries next time',
  pushSummary:
    '{created} created, {updated} updated, {unchanged} unchanged, {conflicts} conflicts, {invalid} invalid, {forbidden} forbidden.',
  previewSummary: 'Preview: {summary}',
  previewFirst: 'Check the preview, then click “Push changes” to send.',
  statusCreated: 'Created (version {version})',
  statusUpdated: 'Updated (version {version})',
  statusUnchanged: 'Unchanged',
  statusConflict:
    'CONFLICT: someone else changed this row (version {version} on the server). Your edit is kept; differences:\n{differences}',
  statusInvalid: 'INVALID:\n{errors}',
  statusForbidden: 'FORBIDDEN: {detail}',
  pendingLocal: 'Local edit not pushed yet (kept on refresh).',
  conflictsTitle: 'Conflicts — choose row by row',
  conflictRow: 'Row {row} ({key})',
  field: 'Field',
  mine: 'Mine',
  theirs: 'On the server',
  keepMine: 'Keep mine',
  takeTheirs: 'Take the server’s',
  applyChoices: 'Apply choices',
  resolved: '{count} conflicts resolved.',
  keptMine: 'Your version will be pushed over server version {version} next time.',
  truncatedRows:
    '… result truncated: showing {rows} of {total} rows (formula limit). For all of it, insert a table from the sidebar.',
  truncatedTime:
    '… result truncated: showing {rows} rows; the formula hit the 30 s limit. For all of it, insert a table from the sidebar.',
  headerNote: 'Field: {path}',
  errorPrefix: '#ERROR: {message}',
  errNotConnected: 'connect to Rede Hub in the sidebar (Extensions › Rede Hub › Open sidebar)',
  errUnreachable: 'server unreachable ({detail})',
  errHttp: 'the server answered {status}: {detail}',
  errUnauthenticated: 'API key unknown or revoked',
  errServer: '{detail}',
  errForbidden: 'your key may not do this ({detail})',
  errBadInput: 'the server refused the data: {detail}',
  errRateLimited: 'too many requests; wait a minute and try again',
  errTimeout: 'the server took too long to answer; try again',
  errUnavailable: 'the server is unavailable right now; try again in a few minutes',
  errTooComplex: 'the query is too large or too deep for the server ({detail})',
  errInternal: 'internal server error (request {request})',
  errInvalidQuery: 'the query is not valid: {detail}',
  errNoTableHere: 'select a cell inside a bound table',
  errTableGone:
    'the table “{table}” no longer exists in this spreadsheet (its tab or range was deleted)',
  errNotEditable: 'this table ({type}) does not accept pushed changes',
  errMissingColumn: 'the table needs a “{column}” column to push changes',
  errBadNumber: 'row {row}, column “{column}”: “{value}” is not a number',
  errBadBoolean: 'row {row}, column “{column}”: “{value}” is not true/false',
  errBadEnum: 'row {row}, column “{column}”: “{value}” is not one of the options ({options})',
  errEmptyKey: 'row {row}: {columns} empty',
  errBadVariable: 'variable ${name}: {reason}',
  errRequired: 'is required',
  errNotJson: 'is not valid JSON',
  errUnknownField: 'unknown field “{field}”',
  errNotFound: 'not found: {what}',
  errBusy:
    'someone else (or a scheduled refresh) is refreshing or pushing this spreadsheet right now; try again in a moment',
  errScheduleOwned:
    'the scheduled refresh is already on, by {owner}; use “Take over” to run it with your account',
  errReaderRole:
    'use a reader key (role READER): the formulas’ key is kept in the sheet and works for every editor; this key is {role}',
  errNeedsReaderToken:
    'this spreadsheet’s formulas need a reader key (sidebar › Connect › Formulas of this spreadsheet)',
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

/** Any error in the user's language (an unexpected one keeps its own message). */
export function describeError(locale: Locale, error: unknown): string {
  return error instanceof AddonError
    ? error.render(locale)
    : ((error as Error).message ?? String(error));
}
