/**
 * ScriptApp, LockService, Session, Utilities, UrlFetchApp, HtmlService and the Sheets UI, with
 * the rules an add-on meets: installable triggers belong to the user who made them and an
 * add-on gets one time-driven trigger per user per document, at most hourly; locks are released
 * when an execution ends; UrlFetch goes only to the manifest's allow-list; custom functions and
 * NONE/LIMITED executions cannot call what needs authorization.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDate } from './cell-entry';
import { GoogleException, type Execution, type FakeUser, type GoogleHost } from './host';
import { checkAllowed, type Manifest } from './manifest';
import { LocationType, type FakeSpreadsheet } from './spreadsheet';

export interface FakeTrigger {
  uid: string;
  handler: string;
  owner: FakeUser;
  documentId: string;
  /** Human-readable schedule, e.g. `every 1 h`, `every 1 d at 6h (America/Sao_Paulo)`. */
  schedule: string;
  getUniqueId(): string;
  getHandlerFunction(): string;
  getEventType(): string;
  getTriggerSourceId(): string;
}

const HOUR_MS = 60 * 60 * 1000;

export class Triggers {
  readonly all: FakeTrigger[] = [];
  private next = 0;
  constructor(
    private readonly host: GoogleHost,
    private readonly book: FakeSpreadsheet,
  ) {}

  private builder(handler: string) {
    const host = this.host;
    const plan = { every: 0, unit: '', at: '', zone: '', once: 0 };
    const clock = {
      after(ms: number) {
        plan.once = ms;
        return clock;
      },
      at(date: Date) {
        plan.once = Math.max(0, date.getTime() - host.clock.now);
        return clock;
      },
      everyMinutes(n: number) {
        plan.every = n * 60 * 1000;
        plan.unit = `${n} min`;
        return clock;
      },
      everyHours(n: number) {
        plan.every = n * HOUR_MS;
        plan.unit = `${n} h`;
        return clock;
      },
      everyDays(n: number) {
        plan.every = n * 24 * HOUR_MS;
        plan.unit = `${n} d`;
        return clock;
      },
      everyWeeks(n: number) {
        plan.every = n * 7 * 24 * HOUR_MS;
        plan.unit = `${n} w`;
        return clock;
      },
      atHour(hour: number) {
        plan.at = ` at ${hour}h`;
        return clock;
      },
      nearMinute() {
        return clock;
      },
      inTimezone(zone: string) {
        plan.zone = ` (${zone})`;
        return clock;
      },
      create: () => this.create(handler, plan),
    };
    return { timeBased: () => clock };
  }

  private create(
    handler: string,
    plan: { every: number; unit: string; at: string; zone: string; once: number },
  ) {
    this.host.require('triggers', 'ClockTriggerBuilder.create');
    const user = this.host.execution.user;
    if (plan.every === 0 && plan.once === 0) {
      throw new GoogleException(
        'A time-based trigger needs a schedule (everyHours, everyDays, after…).',
      );
    }
    if (plan.every > 0 && plan.every < HOUR_MS) {
      throw new GoogleException(
        'Add-ons may not create time-based triggers that run more frequently than once per hour.',
      );
    }
    if (this.all.some((trigger) => trigger.owner === user && trigger.documentId === this.book.id)) {
      throw new GoogleException(
        'This add-on has created too many time-based triggers in this document for this Google user account.',
      );
    }
    const uid = String(1_000_000 + ++this.next);
    const schedule =
      plan.every > 0 ? `every ${plan.unit}${plan.at}${plan.zone}` : `once after ${plan.once} ms`;
    const documentId = this.book.id;
    const trigger: FakeTrigger = {
      uid,
      handler,
      owner: user,
      documentId,
      schedule,
      getUniqueId: () => uid,
      getHandlerFunction: () => handler,
      getEventType: () => 'CLOCK',
      getTriggerSourceId: () => documentId,
    };
    this.all.push(trigger);
    return trigger;
  }

  globals() {
    return {
      ScriptApp: {
        AuthMode: {
          NONE: 'NONE',
          LIMITED: 'LIMITED',
          CUSTOM_FUNCTION: 'CUSTOM_FUNCTION',
          FULL: 'FULL',
        },
        EventType: { CLOCK: 'CLOCK' },
        newTrigger: (handler: string) => {
          this.host.require('triggers', 'ScriptApp.newTrigger');
          return this.builder(handler);
        },
        /** The current user's triggers only: nobody sees another user's triggers. */
        getProjectTriggers: () => {
          this.host.require('triggers', 'ScriptApp.getProjectTriggers');
          return this.all.filter((trigger) => trigger.owner === this.host.execution.user);
        },
        getUserTriggers: (document: FakeSpreadsheet) => {
          this.host.require('triggers', 'ScriptApp.getUserTriggers');
          return this.all.filter(
            (trigger) =>
              trigger.owner === this.host.execution.user && trigger.documentId === document.id,
          );
        },
        deleteTrigger: (trigger: FakeTrigger) => {
          this.host.require('triggers', 'ScriptApp.deleteTrigger');
          const index = this.all.findIndex((candidate) => candidate.uid === trigger.getUniqueId());
          if (index < 0) {
            return;
          }
          if (this.all[index]!.owner !== this.host.execution.user) {
            throw new GoogleException('You cannot delete a trigger that another user created.');
          }
          this.all.splice(index, 1);
        },
      },
    };
  }
}

class LockState {
  holder: number | 'elsewhere' | null = null;
}

export class Locks {
  readonly document = new LockState();
  readonly script = new LockState();
  private readonly users = new Map<string, LockState>();
  constructor(private readonly host: GoogleHost) {}

  /** Test helper: another execution (say, a colleague's scheduled refresh) holds a lock. */
  holdElsewhere(which: 'document' | 'script'): () => void {
    const state = this[which];
    if (state.holder !== null) {
      throw new Error(`the ${which} lock is already held`);
    }
    state.holder = 'elsewhere';
    return () => {
      state.holder = null;
    };
  }

  private lock(state: LockState) {
    const host = this.host;
    const mine = (execution: Execution) => state.holder === execution.id;
    const take = (execution: Execution) => {
      if (state.holder === null) {
        state.holder = execution.id;
        execution.releaseOnEnd.push(() => {
          if (state.holder === execution.id) {
            state.holder = null;
          }
        });
      }
      return mine(execution);
    };
    const lock = {
      tryLock(timeoutMs: number) {
        host.require('lock', 'Lock.tryLock');
        const execution = host.execution;
        if (take(execution)) {
          return true;
        }
        host.charge(timeoutMs);
        return false;
      },
      waitLock(timeoutMs: number) {
        if (!lock.tryLock(timeoutMs)) {
          throw new GoogleException(
            'Lock timeout: another process was holding the lock for too long.',
          );
        }
      },
      hasLock() {
        return mine(host.execution);
      },
      releaseLock() {
        if (mine(host.execution)) {
          state.holder = null;
        }
      },
    };
    return lock;
  }

  globals() {
    return {
      LockService: {
        getDocumentLock: () => this.lock(this.document),
        getScriptLock: () => this.lock(this.script),
        getUserLock: () => {
          const email = this.host.execution.user.email;
          let state = this.users.get(email);
          if (!state) {
            state = new LockState();
            this.users.set(email, state);
          }
          return this.lock(state);
        },
      },
    };
  }
}

function toBytes(digest: Buffer): number[] {
  return [...digest].map((byte) => (byte > 127 ? byte - 256 : byte));
}

function fromBytes(data: string | number[]): Buffer {
  return typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : Buffer.from(data.map((b) => b & 255));
}

/** `SimpleDateFormat`-like patterns: yyyy, yy, MM, dd, HH, mm, ss and quoted text. */
export function formatDate(date: Date, timeZone: string, pattern: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  return pattern.replace(
    /'([^']*)'|yyyy|yy|MM|dd|HH|mm|ss/g,
    (token, quoted: string | undefined) => {
      if (quoted !== undefined) {
        return quoted;
      }
      switch (token) {
        case 'yyyy':
          return parts.year!;
        case 'yy':
          return parts.year!.slice(2);
        case 'MM':
          return parts.month!;
        case 'dd':
          return parts.day!;
        case 'HH':
          return parts.hour!;
        case 'mm':
          return parts.minute!;
        default:
          return parts.second!;
      }
    },
  );
}

export type SyncHttp = (
  url: string,
  request: { method: string; headers: Record<string, string>; payload?: string },
) => { status: number; body: string; headers: Record<string, string> };

/** `google.script.run` refuses Dates, functions and other non-plain values in both directions. */
export function checkScriptRunValue(value: unknown, where: string): void {
  if (isDate(value) || typeof value === 'function' || typeof value === 'symbol') {
    throw new GoogleException(
      `google.script.run cannot pass a ${isDate(value) ? 'Date' : typeof value} (${where})`,
    );
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkScriptRunValue(item, `${where}[${index}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      checkScriptRunValue(item, `${where}.${key}`);
    }
  }
}

export interface UiRecord {
  menus: { items: [string, string][]; authMode: string }[];
  sidebars: { title: string; html: string; user: string }[];
}

export function scriptGlobals(options: {
  host: GoogleHost;
  book: FakeSpreadsheet;
  manifest: Manifest;
  distDir: string;
  http: SyncHttp;
  ui: UiRecord;
}) {
  const { host, book, manifest, http, ui } = options;
  const currentUser = () => host.execution.user;
  return {
    SpreadsheetApp: {
      DeveloperMetadataLocationType: LocationType,
      getActiveSpreadsheet: () => {
        host.require('document-read', 'SpreadsheetApp.getActiveSpreadsheet');
        return book;
      },
      flush: () => undefined,
      getUi: () => {
        host.require('menu', 'SpreadsheetApp.getUi');
        return {
          createAddonMenu: () => {
            const items: [string, string][] = [];
            const builder = {
              addItem(label: string, handler: string) {
                items.push([label, handler]);
                return builder;
              },
              addSeparator() {
                return builder;
              },
              addToUi() {
                ui.menus.push({ items, authMode: host.execution.authMode });
              },
            };
            return builder;
          },
          showSidebar: (output: { getTitle(): string; getContent(): string }) => {
            host.require('ui', 'Ui.showSidebar');
            ui.sidebars.push({
              title: output.getTitle(),
              html: output.getContent(),
              user: currentUser().email,
            });
          },
        };
      },
    },
    Session: {
      getActiveUser: () => ({
        getEmail: () => {
          if (host.execution.kind === 'custom-function') {
            return '';
          }
          host.require('user-email', 'Session.getActiveUser().getEmail');
          return currentUser().email;
        },
      }),
      getEffectiveUser: () => ({
        getEmail: () => {
          host.require('user-email', 'Session.getEffectiveUser().getEmail');
          return host.execution.kind === 'custom-function' ? host.owner.email : currentUser().email;
        },
      }),
      getActiveUserLocale: () => {
        host.require('locale', 'Session.getActiveUserLocale');
        return currentUser().locale;
      },
      getTemporaryActiveUserKey: () =>
        host.execution.kind === 'custom-function' ? '' : currentUser().temporaryKey,
      getScriptTimeZone: () => manifest.timeZone ?? 'America/New_York',
    },
    Utilities: {
      DigestAlgorithm: { SHA_256: 'sha256', SHA_1: 'sha1', MD5: 'md5' },
      Charset: { UTF_8: 'utf8' },
      computeDigest: (algorithm: string, value: string | number[]) =>
        toBytes(createHash(algorithm).update(fromBytes(value)).digest()),
      base64Encode: (data: string | number[]) => fromBytes(data).toString('base64'),
      base64EncodeWebSafe: (data: string | number[]) =>
        fromBytes(data).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
      formatDate: (date: Date, timeZone: string, pattern: string) =>
        formatDate(date, timeZone, pattern),
      sleep: (ms: number) => host.charge(ms),
    },
    UrlFetchApp: {
      fetch: (
        url: string,
        params: {
          method?: string;
          headers?: Record<string, string>;
          contentType?: string;
          payload?: string;
          muteHttpExceptions?: boolean;
        } = {},
      ) => {
        host.require('url-fetch', 'UrlFetchApp.fetch');
        if (url.length > 2048) {
          throw new GoogleException('Limit Exceeded: URLFetch URL Length.');
        }
        checkAllowed(url, manifest);
        const headers = { ...(params.headers ?? {}) };
        if (Object.keys(headers).length > 100) {
          throw new GoogleException('Limit Exceeded: URLFetch headers.');
        }
        if (params.contentType) {
          headers['content-type'] = params.contentType;
        }
        const started = performance.now();
        const response = http(url, {
          method: (params.method ?? 'get').toUpperCase(),
          headers,
          payload: params.payload,
        });
        host.charge(performance.now() - started + host.costs.fetchMs);
        if (response.status >= 400 && !params.muteHttpExceptions) {
          throw new GoogleException(
            `Request failed for ${url} returned code ${response.status}. Truncated server response: ${response.body.slice(0, 300)} (use muteHttpExceptions option to examine full response)`,
          );
        }
        return {
          getResponseCode: () => response.status,
          getContentText: () => response.body,
          getHeaders: () => response.headers,
        };
      },
    },
    HtmlService: {
      createHtmlOutputFromFile: (name: string) => {
        const file = path.join(options.distDir, `${name}.html`);
        if (!fs.existsSync(file)) {
          throw new GoogleException(`No HTML file named ${name} was found.`);
        }
        let title = '';
        const content = fs.readFileSync(file, 'utf8');
        const output = {
          setTitle(next: string) {
            title = next;
            return output;
          },
          getTitle: () => title,
          getContent: () => content,
          setWidth: () => output,
        };
        return output;
      },
    },
  };
}
