/**
 * The sidebar's own script (runs in the browser, inside Apps Script's HTML sandbox). It holds no
 * logic of its own: every action is one `google.script.run` call into the bundle, which returns
 * the new state to render. Strings come from the server's catalogue (one i18n source). While a
 * call runs every control is disabled (a second click would start a second execution); a pull
 * that needs more than one execution shows a progress line and continues by itself.
 */
import { type FormField } from '../variable-form';
import { type ActionResult, type QueryForm, type SidebarState } from '../sidebar-api';
import { type ConflictRow, type PushSummary } from '../push';

interface Runner {
  withSuccessHandler(handler: (value: never) => void): Runner;
  withFailureHandler(handler: (error: Error) => void): Runner;
}

declare const google: { script: { run: Runner } };

let state: SidebarState | null = null;
let form: QueryForm | null = null;
let selectedName: string | null = null;
let running = 0;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;

function controls(): NodeListOf<
  HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
> {
  return document.querySelectorAll('main button, main input, main select, main textarea, #locale');
}

function setBusy(busy: boolean): void {
  document.body.classList.toggle('busy', busy);
  controls().forEach((control) => {
    if (busy) {
      control.dataset.wasDisabled = String(control.disabled);
      control.disabled = true;
    } else {
      control.disabled = control.dataset.wasDisabled === 'true';
      delete control.dataset.wasDisabled;
    }
  });
}

function call<T>(method: string, ...args: unknown[]): Promise<T> {
  running += 1;
  if (running === 1) {
    setBusy(true);
  }
  return new Promise<T>((resolve, reject) => {
    const runner = google.script.run
      .withSuccessHandler((value: never) => resolve(value as T))
      .withFailureHandler((error: Error) => reject(error));
    (runner as unknown as Record<string, (...a: unknown[]) => void>)[method]!(...args);
  }).finally(() => {
    running -= 1;
    if (running === 0) {
      setBusy(false);
    }
  });
}

function say(message: string, error = false): void {
  const element = $('#message');
  element.textContent = message;
  element.classList.toggle('error', error);
}

function failed(error: unknown): void {
  showProgress(null);
  say(error instanceof Error ? error.message : String(error), true);
}

function text(key: string): string {
  return (state?.strings as Record<string, string> | undefined)?.[key] ?? key;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function showTab(name: string): void {
  document.querySelectorAll<HTMLButtonElement>('nav button').forEach((button) => {
    button.setAttribute('aria-selected', String(button.dataset.tab === name));
  });
  document.querySelectorAll<HTMLElement>('main > section').forEach((section) => {
    section.hidden = section.id !== `tab-${name}`;
  });
  if (name === 'queries' && state?.connection) {
    void loadQueries();
  }
}

function lastRunText(run: { at: string; outcome: string } | null): string {
  return run
    ? text('lastRun').replace('{at}', run.at).replace('{outcome}', run.outcome)
    : text('neverRun');
}

function render(next: SidebarState): void {
  state = next;
  document.documentElement.lang = next.locale;
  document.querySelectorAll<HTMLElement>('[data-text]').forEach((node) => {
    node.textContent = text(node.dataset.text!);
  });
  $<HTMLSelectElement>('#locale').value = next.locale;
  $('#hub').textContent = next.hub;
  const status = $('#connection-status');
  status.textContent = next.connection ? next.connection.label : text('notConnected');
  status.classList.toggle('ok', Boolean(next.connection));
  $('#formulas-status').textContent = next.formulas.text;
  $('#formulas-status').classList.toggle('ok', next.formulas.hasKey);
  const tables = $('#tables');
  tables.replaceChildren(
    ...next.tables.map((table) => {
      const button = element('button', { type: 'button', textContent: text('refresh') });
      button.dataset.table = table.id;
      button.addEventListener('click', () => void act('sidebarRefresh', table.id));
      const item = element(
        'li',
        { className: table.lastRun && !table.lastRun.ok ? 'failed' : '' },
        element('span', {
          className: 'table-title',
          textContent: `${table.title} — ${table.rows}`,
        }),
        element('span', { className: 'table-meta', textContent: table.place }),
        element('span', {
          className: 'table-meta',
          textContent: table.progress ?? lastRunText(table.lastRun),
        }),
        button,
      );
      item.dataset.table = table.id;
      return item;
    }),
  );
  if (next.tables.length === 0) {
    tables.append(element('li', { textContent: text('noTables') }));
  }
  $<HTMLSelectElement>('#schedule').value = next.schedule.frequency;
  $('#schedule-owner').textContent = next.schedule.text;
  $('#schedule-owner').classList.toggle('ok', next.schedule.frequency !== 'off');
  $('#take-over').hidden = next.schedule.frequency === 'off' || next.schedule.mine;
  $('#schedule-status').textContent =
    next.schedule.frequency === 'off' && !next.schedule.lastRun
      ? ''
      : lastRunText(next.schedule.lastRun);
}

function showProgress(textOrNull: string | null): void {
  $('#progress').hidden = textOrNull === null;
  $('#progress-text').textContent = textOrNull ?? '';
  const percent = textOrNull ? /\((\d+)%\)/.exec(textOrNull) : null;
  const bar = $<HTMLProgressElement>('#progress-bar');
  if (percent) {
    bar.max = 100;
    bar.value = Number(percent[1]);
  } else {
    bar.removeAttribute('value');
  }
}

/** Runs an action; while the result says a pull goes on, continues it and shows progress. */
async function act(method: string, ...args: unknown[]): Promise<ActionResult | null> {
  try {
    let result = await call<ActionResult>(method, ...args);
    render(result.state);
    while (result.progress) {
      showProgress(result.progress.text);
      say('');
      result = await call<ActionResult>('sidebarContinue', result.progress.tableId);
      render(result.state);
    }
    showProgress(null);
    say(result.message, result.occupied !== null);
    return result;
  } catch (error) {
    failed(error);
    return null;
  }
}

async function loadQueries(): Promise<void> {
  try {
    const queries =
      await call<{ name: string; description: string | null; stateUf: string | null }[]>(
        'sidebarListQueries',
      );
    const select = $<HTMLSelectElement>('#saved-queries');
    select.replaceChildren(
      new Option('—', ''),
      ...queries.map((query) => {
        const option = new Option(
          `${query.name}${query.stateUf ? ` (${query.stateUf})` : ''}`,
          query.name,
        );
        option.title = query.description ?? '';
        return option;
      }),
    );
    if (selectedName) {
      select.value = selectedName;
    }
  } catch (error) {
    failed(error);
  }
}

function renderForm(next: QueryForm): void {
  form = next;
  $('#columns').textContent = next.columns.join(' · ');
  $('#occupied').hidden = true;
  const container = $('#variables-form');
  container.replaceChildren(
    ...next.fields.map((field: FormField) => {
      const caption = element('span', { textContent: field.label });
      caption.classList.toggle('required', field.required);
      let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      if (field.kind === 'enum' || field.kind === 'boolean') {
        const select = element('select', { multiple: field.list });
        const options =
          field.kind === 'enum'
            ? field.options
            : [
                { value: 'true', label: 'sim' },
                { value: 'false', label: 'não' },
              ];
        select.append(
          ...(field.list ? [] : [new Option('', '')]),
          ...options.map((option) => new Option(option.label, option.value)),
        );
        input = select;
      } else if (field.kind === 'json') {
        input = element('textarea', { rows: 3 });
      } else {
        input = element('input', {
          type: (field.kind === 'int' || field.kind === 'float') && !field.list ? 'number' : 'text',
        });
      }
      input.name = field.name;
      input.value = field.value;
      input.required = field.required;
      return element('label', {}, caption, input);
    }),
  );
}

function formValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of form?.fields ?? []) {
    const input = document.querySelector<HTMLInputElement | HTMLSelectElement>(
      `#variables-form [name="${field.name}"]`,
    );
    if (input instanceof HTMLSelectElement && input.multiple) {
      values[field.name] = [...input.selectedOptions].map((option) => option.value).join(',');
    } else {
      values[field.name] = input?.value ?? '';
    }
  }
  return values;
}

async function insert(target: string, overwrite: boolean): Promise<void> {
  if (!form) {
    failed(new Error(text('chooseQuery')));
    return;
  }
  $('#occupied').hidden = true;
  say('…');
  const result = await act('sidebarInsert', {
    name: selectedName,
    query: selectedName ? null : form.query,
    fields: form.fields,
    values: formValues(),
    target,
    overwrite,
  });
  if (result?.occupied) {
    $('#occupied-text').textContent = result.message;
    $('#occupied').hidden = false;
    say('');
  }
}

function conflictCard(row: ConflictRow): HTMLElement {
  const choice = (value: 'mine' | 'theirs', label: string, checked: boolean) =>
    element(
      'label',
      { className: 'inline' },
      element('input', { type: 'radio', name: `choice-${row.key}`, value, checked }),
      element('span', { textContent: label }),
    );
  const card = element(
    'div',
    { className: 'conflict' },
    element('p', {
      className: 'conflict-title',
      textContent: text('conflictRow')
        .replace('{row}', String(row.row))
        .replace('{key}', row.title),
    }),
    element(
      'table',
      {},
      element(
        'tr',
        {},
        element('th', { textContent: text('field') }),
        element('th', { textContent: text('mine') }),
        element('th', { textContent: text('theirs') }),
      ),
      ...row.fields.map((field) =>
        element(
          'tr',
          {},
          element('td', { textContent: field.label }),
          element('td', { className: 'mine', textContent: field.mine }),
          element('td', { className: 'theirs', textContent: field.theirs }),
        ),
      ),
    ),
    element(
      'div',
      { className: 'choice' },
      choice('mine', text('keepMine'), true),
      choice('theirs', text('takeTheirs'), false),
    ),
  );
  card.dataset.key = row.key;
  return card;
}

function renderPush(summary: PushSummary): void {
  say(
    summary.dryRun && summary.sent > 0
      ? `${summary.message} ${text('previewFirst')}`
      : summary.message,
    summary.conflicts + summary.invalid + summary.forbidden + summary.problems.length > 0,
  );
  $('#push-rows').replaceChildren(
    ...summary.rows
      .filter((row) => row.status !== 'CONFLICT')
      .map((row) =>
        element('li', { className: row.status, textContent: `${row.row}: ${row.message}` }),
      ),
    ...summary.problems.map((problem) =>
      element('li', { className: 'INVALID', textContent: problem.message }),
    ),
  );
  $('#conflicts').hidden = summary.conflictRows.length === 0;
  $('#conflict-rows').replaceChildren(...summary.conflictRows.map(conflictCard));
}

function choices(): Record<string, 'mine' | 'theirs'> {
  const chosen: Record<string, 'mine' | 'theirs'> = {};
  document.querySelectorAll<HTMLElement>('#conflict-rows .conflict').forEach((card) => {
    const picked = card.querySelector<HTMLInputElement>('input[type=radio]:checked');
    chosen[card.dataset.key!] = picked?.value === 'theirs' ? 'theirs' : 'mine';
  });
  return chosen;
}

function preview(): void {
  showTab('push');
  call<PushSummary>('sidebarPush', true).then(renderPush, failed);
}

function wire(): void {
  document.querySelectorAll<HTMLButtonElement>('nav button').forEach((button) => {
    button.addEventListener('click', () => showTab(button.dataset.tab!));
  });
  $('#locale').addEventListener('change', () => {
    call<SidebarState>('sidebarSetLocale', $<HTMLSelectElement>('#locale').value).then(
      render,
      failed,
    );
  });
  $('#connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    say('…');
    call<SidebarState>('sidebarConnect', $<HTMLInputElement>('#api-key').value).then((next) => {
      render(next);
      $<HTMLInputElement>('#api-key').value = '';
      say(next.connection?.label ?? '');
    }, failed);
  });
  $('#disconnect').addEventListener('click', () => {
    call<SidebarState>('sidebarDisconnect').then(render, failed);
  });
  $('#reader-form').addEventListener('submit', (event) => {
    event.preventDefault();
    call<SidebarState>('sidebarSetReaderKey', $<HTMLInputElement>('#reader-key').value).then(
      (next) => {
        render(next);
        $<HTMLInputElement>('#reader-key').value = '';
        say(next.formulas.text);
      },
      failed,
    );
  });
  $('#reader-clear').addEventListener('click', () => {
    call<SidebarState>('sidebarClearReaderKey').then(render, failed);
  });
  $('#saved-queries').addEventListener('change', () => {
    selectedName = $<HTMLSelectElement>('#saved-queries').value || null;
    if (selectedName) {
      call<QueryForm>('sidebarQueryForm', { name: selectedName }).then(renderForm, failed);
    }
  });
  $('#use-query').addEventListener('click', () => {
    selectedName = null;
    $<HTMLSelectElement>('#saved-queries').value = '';
    call<QueryForm>('sidebarQueryForm', {
      query: $<HTMLTextAreaElement>('#query-text').value,
    }).then(renderForm, failed);
  });
  $('#insert').addEventListener('click', () => {
    const target = document.querySelector<HTMLInputElement>('input[name=target]:checked')?.value;
    void insert(target ?? 'cursor', false);
  });
  $('#occupied-overwrite').addEventListener('click', () => void insert('cursor', true));
  $('#occupied-new-sheet').addEventListener('click', () => void insert('newSheet', false));
  $('#occupied-cancel').addEventListener('click', () => {
    $('#occupied').hidden = true;
    say('');
  });
  $('#refresh-all').addEventListener('click', () => void act('sidebarRefresh', null));
  $('#schedule').addEventListener('change', () => {
    call<SidebarState>('sidebarSchedule', $<HTMLSelectElement>('#schedule').value, false).then(
      render,
      (error) => {
        if (state) {
          render(state);
        }
        failed(error);
      },
    );
  });
  $('#take-over').addEventListener('click', () => {
    const frequency = state?.schedule.frequency ?? 'hourly';
    call<SidebarState>('sidebarSchedule', frequency, true).then(render, failed);
  });
  $('#preview').addEventListener('click', preview);
  $('#push').addEventListener('click', () => {
    call<PushSummary>('sidebarPush', false).then(renderPush, failed);
  });
  $('#apply-choices').addEventListener('click', () => {
    call<{ message: string }>('sidebarResolveConflicts', null, choices()).then((result) => {
      say(result.message);
      $('#conflicts').hidden = true;
      $('#conflict-rows').replaceChildren();
      $('#push-rows').replaceChildren();
    }, failed);
  });
}

wire();
call<SidebarState>('sidebarState').then((initial) => {
  render(initial);
  if (initial.next === 'preview') {
    preview();
  } else {
    showTab(initial.connection ? 'queries' : 'connect');
  }
}, failed);
