/**
 * The sidebar's own script (runs in the browser, inside Apps Script's HTML sandbox). It holds no
 * logic of its own: every action is one `google.script.run` call into the bundle, which returns
 * the new state to render. Strings come from the server's catalogue (one i18n source).
 */
import { type FormField } from '../variable-form';
import { type ActionResult, type QueryForm, type SidebarState } from '../sidebar-api';
import { type PushSummary } from '../push';

interface Runner {
  withSuccessHandler(handler: (value: never) => void): Runner;
  withFailureHandler(handler: (error: Error) => void): Runner;
}

declare const google: { script: { run: Runner } };

let state: SidebarState | null = null;
let form: QueryForm | null = null;
let selectedName: string | null = null;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;

function call<T>(method: string, ...args: unknown[]): Promise<T> {
  document.body.classList.add('busy');
  return new Promise<T>((resolve, reject) => {
    const runner = google.script.run
      .withSuccessHandler((value: never) => resolve(value as T))
      .withFailureHandler((error: Error) => reject(error));
    (runner as unknown as Record<string, (...a: unknown[]) => void>)[method]!(...args);
  }).finally(() => document.body.classList.remove('busy'));
}

function say(message: string, error = false): void {
  const element = $('#message');
  element.textContent = message;
  element.classList.toggle('error', error);
}

function failed(error: unknown): void {
  say(error instanceof Error ? error.message : String(error), true);
}

function text(key: string): string {
  return (state?.strings as Record<string, string> | undefined)?.[key] ?? key;
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

function render(next: SidebarState): void {
  state = next;
  document.documentElement.lang = next.locale;
  document.querySelectorAll<HTMLElement>('[data-text]').forEach((element) => {
    element.textContent = text(element.dataset.text!);
  });
  $<HTMLSelectElement>('#locale').value = next.locale;
  const status = $('#connection-status');
  status.textContent = next.connection ? next.connection.label : text('notConnected');
  status.classList.toggle('ok', Boolean(next.connection));
  if (next.connection) {
    $<HTMLInputElement>('#server-url').value = next.connection.serverUrl;
  }
  const tables = $('#tables');
  tables.replaceChildren(
    ...next.tables.map((table) => {
      const item = document.createElement('li');
      const last = table.lastRun
        ? text('lastRun')
            .replace('{at}', table.lastRun.at.replace('T', ' ').slice(0, 16))
            .replace('{outcome}', table.lastRun.outcome)
        : text('neverRun');
      item.textContent = `${table.title} — ${table.rows}\n${last}\n`;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text('refresh');
      button.dataset.table = table.id;
      button.addEventListener('click', () => void act('sidebarRefresh', table.id));
      item.append(button);
      return item;
    }),
  );
  if (next.tables.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = text('noTables');
    tables.append(empty);
  }
  $<HTMLSelectElement>('#schedule').value = next.schedule.frequency;
  const run = next.schedule.lastRun;
  $('#schedule-status').textContent = run
    ? text('lastRun')
        .replace('{at}', run.at.replace('T', ' ').slice(0, 16))
        .replace('{outcome}', run.outcome)
    : text('neverRun');
}

async function act(method: string, ...args: unknown[]): Promise<void> {
  try {
    const result = await call<ActionResult>(method, ...args);
    render(result.state);
    say(result.message);
  } catch (error) {
    failed(error);
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
  const container = $('#variables-form');
  container.replaceChildren(
    ...next.fields.map((field: FormField) => {
      const label = document.createElement('label');
      const caption = document.createElement('span');
      caption.textContent = field.label;
      caption.classList.toggle('required', field.required);
      let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      if (field.kind === 'enum' || field.kind === 'boolean') {
        const select = document.createElement('select');
        const options = field.kind === 'enum' ? field.options : ['true', 'false'];
        select.multiple = field.list;
        select.append(
          ...(field.list ? [] : [new Option('', '')]),
          ...options.map((option) => new Option(option, option)),
        );
        input = select;
      } else if (field.kind === 'json') {
        input = document.createElement('textarea');
        input.rows = 3;
      } else {
        input = document.createElement('input');
        input.type =
          field.kind === 'int' || field.kind === 'float'
            ? field.list
              ? 'text'
              : 'number'
            : 'text';
      }
      input.name = field.name;
      input.value = field.value;
      input.required = field.required;
      label.append(caption, input);
      return label;
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

function renderPush(summary: PushSummary): void {
  $('#resolve').hidden = summary.conflicts === 0;
  say(
    summary.message,
    summary.conflicts + summary.invalid + summary.forbidden + summary.problems.length > 0,
  );
  $('#push-rows').replaceChildren(
    ...summary.rows.map((row) => {
      const item = document.createElement('li');
      item.className = row.status;
      item.textContent = `${row.row}: ${row.message}`;
      return item;
    }),
    ...summary.problems.map((problem) => {
      const item = document.createElement('li');
      item.className = 'INVALID';
      item.textContent = problem.message;
      return item;
    }),
  );
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
    call<SidebarState>(
      'sidebarConnect',
      $<HTMLInputElement>('#server-url').value,
      $<HTMLInputElement>('#api-key').value,
    ).then((next) => {
      render(next);
      $<HTMLInputElement>('#api-key').value = '';
      say(next.connection?.label ?? '');
    }, failed);
  });
  $('#disconnect').addEventListener('click', () => {
    call<SidebarState>('sidebarDisconnect').then(render, failed);
  });
  $('#saved-queries').addEventListener('change', () => {
    selectedName = $<HTMLSelectElement>('#saved-queries').value || null;
    if (!selectedName) {
      return;
    }
    call<QueryForm>('sidebarQueryForm', { name: selectedName }).then(renderForm, failed);
  });
  $('#use-query').addEventListener('click', () => {
    selectedName = null;
    $<HTMLSelectElement>('#saved-queries').value = '';
    call<QueryForm>('sidebarQueryForm', {
      query: $<HTMLTextAreaElement>('#query-text').value,
    }).then(renderForm, failed);
  });
  $('#insert').addEventListener('click', () => {
    if (!form) {
      failed(new Error(text('savedQueries')));
      return;
    }
    say('…');
    void act('sidebarInsert', {
      name: selectedName,
      query: selectedName ? null : form.query,
      fields: form.fields,
      values: formValues(),
    });
  });
  $('#refresh-all').addEventListener('click', () => void act('sidebarRefresh', null));
  $('#schedule').addEventListener('change', () => {
    call<SidebarState>('sidebarSchedule', $<HTMLSelectElement>('#schedule').value).then(
      render,
      failed,
    );
  });
  $('#preview').addEventListener('click', () => {
    call<PushSummary>('sidebarPush', true).then(renderPush, failed);
  });
  for (const choice of ['mine', 'theirs'] as const) {
    $(`#resolve-${choice}`).addEventListener('click', () => {
      call<{ message: string }>('sidebarResolveConflicts', choice).then((result) => {
        say(result.message);
        $('#resolve').hidden = true;
        $('#push-rows').replaceChildren();
      }, failed);
    });
  }
  $('#push').addEventListener('click', () => {
    call<PushSummary>('sidebarPush', false).then(renderPush, failed);
  });
}

wire();
call<SidebarState>('sidebarState').then((initial) => {
  render(initial);
  showTab(initial.connection ? 'queries' : 'connect');
}, failed);
