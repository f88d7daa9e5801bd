import { type Locale } from './i18n';
import { fieldLabel, typeLabel } from './labels';

/**
 * The hub answers in English (its API is for analysts too). What reaches a person in the sheet
 * is said in Portuguese: the messages the API and GraphQL produce most are translated here, the
 * rest keep their English text behind a Portuguese lead-in so nothing is hidden.
 */
const translations: [RegExp, (match: RegExpExecArray) => string][] = [
  [
    /^Cannot query field "(\w+)" on type "(\w+)"\./,
    (m) => `o campo “${m[1]}” não existe em ${typeLabel(m[2]!)}`,
  ],
  [
    /^Variable "\$(\w+)" of required type "([^"]+)" was not provided\./,
    (m) => `falta a variável $${m[1]} (${m[2]})`,
  ],
  [/^Variable "\$(\w+)" got invalid value (.*?);/, (m) => `valor inválido para $${m[1]}: ${m[2]}`],
  [
    /^Unknown argument "(\w+)" on field "([\w.]+)"\./,
    (m) => `o argumento “${m[1]}” não existe em ${m[2]}`,
  ],
  [/^Syntax Error: (.*)$/, (m) => `erro de sintaxe na consulta (${m[1]})`],
  [/^Expected a date as YYYY-MM-DD/, () => 'esperava uma data no formato AAAA-MM-DD'],
  [/^Not a calendar day/, () => 'não é um dia do calendário'],
  [/^Must not be empty/, () => 'não pode ficar vazio'],
  [/^Must be 0 or more/, () => 'deve ser 0 ou mais'],
  [/^Too small: expected number to be >=?(\S+)/, (m) => `deve ser no mínimo ${m[1]}`],
  [/^Too big: expected number to be <=?(\S+)/, (m) => `deve ser no máximo ${m[1]}`],
  [
    /^Too big: expected string to have <=?(\d+) characters/,
    (m) => `deve ter no máximo ${m[1]} caracteres`,
  ],
  [/^Invalid input: expected (\w+), received (\w+)/, (m) => `esperava ${m[1]}, recebeu ${m[2]}`],
  [/^Invalid option: expected one of (.*)$/, (m) => `deve ser uma destas opções: ${m[1]}`],
  [/^Expected a two-letter UF/, () => 'esperava a sigla de uma UF, ex.: RS'],
  [/^Expected a 5-digit region code/, () => 'esperava o código de região de saúde com 5 dígitos'],
  [/^Expected a 4-digit macroregion code/, () => 'esperava o código de macrorregião com 4 dígitos'],
  [/^Expected a phone number/, () => 'esperava um telefone, ex.: (51) 3333-4444'],
  [/^Not an e-mail address/, () => 'não é um endereço de e-mail'],
  [
    /^"(\d*)" is not an IBGE municipality code/,
    (m) => `“${m[1]}” não é um código IBGE de município (7 dígitos)`,
  ],
  [
    /^"(\d*)" has a wrong check digit: the 7th digit should be (\d)/,
    (m) => `“${m[1]}” tem o dígito verificador errado: o 7º dígito deveria ser ${m[2]}`,
  ],
  [/^Required to create an? (\w+)/, (m) => `obrigatório para criar ${typeLabel(m[1]!)}`],
  [/^Only the (\w+) role creates an? (\w+)/, (m) => `só o papel ${m[1]} cria ${typeLabel(m[2]!)}`],
  [
    /^This (\w+) is deleted; restore it first/,
    (m) => `${typeLabel(m[1]!)} excluído; restaure antes`,
  ],
  [/^No (\w+) with key (.*)$/, (m) => `não existe ${typeLabel(m[1]!)} com a chave ${m[2]}`],
  [/^No (\w+) has id (.*)$/, (m) => `não existe ${typeLabel(m[1]!)} com o id ${m[2]}`],
  [/^Same row as row (\d+)/, (m) => `mesma linha que a linha ${Number(m[1]) + 1} do envio`],
  [
    /^The row was changed by someone else: your version is (\d+), the current one is (\d+)/,
    (m) => `outra pessoa alterou a linha: sua versão é ${m[1]}, a atual é ${m[2]}`,
  ],
  [
    /^The row exists \(version (\d+)\)/,
    (m) => `a linha já existe (versão ${m[1]}); atualize a tabela`,
  ],
  [
    /^Your key writes only (rows of (\w\w)|every state); this (\w+) belongs to (.*?) \(/,
    (m) =>
      `sua chave só altera ${m[2] ? `linhas de ${m[2]}` : 'todos os estados'}; ${typeLabel(m[3]!)} de ${m[4]}`,
  ],
  [/^The API key is unknown or revoked/, () => 'chave de API inválida ou revogada'],
  [/^An API key is required/, () => 'o servidor exige uma chave de API'],
  [/^Too many requests/i, () => 'muitas requisições em pouco tempo'],
];

export function serverMessage(locale: Locale, message: string): string {
  if (locale === 'en') {
    return message;
  }
  for (const [pattern, render] of translations) {
    const match = pattern.exec(message);
    if (match) {
      return render(match);
    }
  }
  return `mensagem do servidor (em inglês): ${message}`;
}

/** `population: Must be 0 or more` → `População: deve ser 0 ou mais`. */
export function fieldError(
  locale: Locale,
  typeName: string | null,
  error: { field: string; message: string },
): string {
  const field = locale === 'en' ? error.field : fieldLabel(typeName, error.field);
  return `${field}: ${serverMessage(locale, error.message)}`;
}
