/**
 * The part of Google the fakes share: a clock, the users of one spreadsheet, and the execution
 * that is running now — who runs it, in which authorization mode, since when. Every fake service
 * asks the host before acting, so the rules Apps Script enforces per execution (what each auth
 * mode may touch, which scopes the manifest grants, the 6-minute and 30-second limits) are
 * enforced in one place.
 */

/** `ScriptApp.AuthMode`: what an execution may touch (guide: add-on authorization lifecycle). */
export type AuthMode = 'NONE' | 'LIMITED' | 'CUSTOM_FUNCTION' | 'FULL';

/** What started an execution; decides its time limit and the default auth mode. */
export type ExecutionKind = 'simple-trigger' | 'menu' | 'sidebar' | 'trigger' | 'custom-function';

export interface FakeUser {
  email: string;
  /** `Session.getTemporaryActiveUserKey()`: stable per user and script, reveals nothing. */
  temporaryKey: string;
  locale: string;
}

/** Apps Script's own failures surface as `Exception: …` with the message after it. */
export class GoogleException extends Error {
  override name = 'Exception';
}

export interface Execution {
  id: number;
  kind: ExecutionKind;
  user: FakeUser;
  authMode: AuthMode;
  startedAt: number;
  limitMs: number;
  /** Set once the limit is passed: every later service call fails as Apps Script's would. */
  killed: boolean;
  /** Released when the execution ends, as Apps Script does. */
  releaseOnEnd: (() => void)[];
}

/** Script runtime per execution (quotas page): 6 minutes; custom functions: 30 seconds. */
export const EXECUTION_LIMIT_MS = 6 * 60 * 1000;
export const CUSTOM_FUNCTION_LIMIT_MS = 30 * 1000;

/** Capabilities the services ask for; the table below says which auth modes grant them. */
export type Capability =
  | 'menu'
  | 'locale'
  | 'ui'
  | 'document-read'
  | 'document-write'
  | 'properties'
  | 'cache'
  | 'lock'
  | 'url-fetch'
  | 'triggers'
  | 'user-email';

/**
 * From the add-on authorization lifecycle table and the custom-functions guide: NONE adds menu
 * items and reads the locale; LIMITED also reads and writes the open document, properties and
 * the UI but calls nothing that needs authorization (no UrlFetch, no triggers); custom functions
 * read the document, properties, cache, lock and UrlFetch, never set cells, show UI or manage
 * triggers; FULL does everything the manifest's scopes allow.
 */
const grants: Record<AuthMode, ReadonlySet<Capability>> = {
  NONE: new Set(['menu', 'locale']),
  LIMITED: new Set([
    'menu',
    'locale',
    'ui',
    'document-read',
    'document-write',
    'properties',
    'cache',
    'lock',
  ]),
  CUSTOM_FUNCTION: new Set(['locale', 'document-read', 'properties', 'cache', 'lock', 'url-fetch']),
  FULL: new Set([
    'menu',
    'locale',
    'ui',
    'document-read',
    'document-write',
    'properties',
    'cache',
    'lock',
    'url-fetch',
    'triggers',
    'user-email',
  ]),
};

/** The OAuth scope each capability needs from the manifest (any one of the list). */
const scopesFor: Partial<Record<Capability, string[]>> = {
  'url-fetch': ['https://www.googleapis.com/auth/script.external_request'],
  triggers: ['https://www.googleapis.com/auth/script.scriptapp'],
  ui: ['https://www.googleapis.com/auth/script.container.ui'],
  'document-read': [
    'https://www.googleapis.com/auth/spreadsheets.currentonly',
    'https://www.googleapis.com/auth/spreadsheets',
  ],
  'document-write': [
    'https://www.googleapis.com/auth/spreadsheets.currentonly',
    'https://www.googleapis.com/auth/spreadsheets',
  ],
  'user-email': ['https://www.googleapis.com/auth/userinfo.email'],
};

export interface ServiceCosts {
  /** Added to the real time of each UrlFetch call (a slow network, a busy server). */
  fetchMs: number;
  /** Charged per cell written by `setValues` and friends. */
  cellWriteMs: number;
  /** Charged per cell read by `getValues` and friends. */
  cellReadMs: number;
}

export class FakeClock {
  constructor(public now = Date.now()) {}
  advance(ms: number): void {
    this.now += Math.max(0, ms);
  }
}

export class GoogleHost {
  readonly clock = new FakeClock();
  readonly users = new Map<string, FakeUser>();
  readonly costs: ServiceCosts = { fetchMs: 0, cellWriteMs: 0, cellReadMs: 0 };
  /** Scopes from the built manifest (`appsscript.json`). */
  scopes: string[] = [];
  /** The spreadsheet's owner: custom functions run with their user properties. */
  owner: FakeUser;
  current: Execution | null = null;
  private executions = 0;

  constructor(ownerEmail: string) {
    this.owner = this.addUser(ownerEmail);
  }

  addUser(email: string, locale = 'pt_BR'): FakeUser {
    const existing = this.users.get(email);
    if (existing) {
      return existing;
    }
    const user = {
      email,
      temporaryKey: `tmp-${Buffer.from(email).toString('base64url')}`,
      locale,
    };
    this.users.set(email, user);
    return user;
  }

  user(email: string): FakeUser {
    const user = this.users.get(email);
    if (!user) {
      throw new Error(`no such test user ${email}`);
    }
    return user;
  }

  /** Runs `body` as one Apps Script execution; limits and locks end with it. */
  execute<T>(
    options: { kind: ExecutionKind; user: FakeUser; authMode: AuthMode },
    body: () => T,
  ): T {
    if (this.current) {
      throw new Error('an execution is already running (the fake runs one at a time)');
    }
    const execution: Execution = {
      id: ++this.executions,
      kind: options.kind,
      user: options.user,
      authMode: options.authMode,
      startedAt: this.clock.now,
      limitMs: options.kind === 'custom-function' ? CUSTOM_FUNCTION_LIMIT_MS : EXECUTION_LIMIT_MS,
      killed: false,
      releaseOnEnd: [],
    };
    this.current = execution;
    try {
      const result = body();
      // Work done after the limit (even in plain JavaScript) is lost: Apps Script stops it.
      this.checkTime();
      return result;
    } finally {
      for (const release of execution.releaseOnEnd) {
        release();
      }
      this.current = null;
    }
  }

  /** The running execution; services called outside one are a harness mistake. */
  get execution(): Execution {
    if (!this.current) {
      throw new Error('a Google service was called outside an execution');
    }
    return this.current;
  }

  /** Throws as Apps Script does when the running execution may not use `capability`. */
  require(capability: Capability, method: string): void {
    const execution = this.current;
    if (!execution) {
      return; // the test itself, acting as a person in the Sheets UI
    }
    this.checkTime();
    if (!grants[execution.authMode].has(capability)) {
      if (execution.authMode === 'CUSTOM_FUNCTION') {
        throw new GoogleException(
          `You do not have permission to call ${method}. Custom functions can only call services that need no authorization.`,
        );
      }
      throw new GoogleException(
        `You do not have permission to call ${method} in AuthMode.${execution.authMode}.`,
      );
    }
    const needed = scopesFor[capability];
    if (execution.authMode === 'FULL' && needed && !needed.some((s) => this.scopes.includes(s))) {
      throw new GoogleException(
        `You do not have permission to call ${method}. Required permissions: ${needed.join(' || ')}`,
      );
    }
  }

  /** Advances the clock by a service's cost and enforces the execution's time limit. */
  charge(ms: number): void {
    this.clock.advance(ms);
    this.checkTime();
  }

  checkTime(): void {
    const execution = this.current;
    if (!execution) {
      return;
    }
    if (execution.killed || this.clock.now - execution.startedAt > execution.limitMs) {
      execution.killed = true;
      throw new GoogleException(
        execution.kind === 'custom-function'
          ? 'Exceeded maximum execution time (custom functions stop at 30 seconds)'
          : 'Exceeded maximum execution time',
      );
    }
  }
}
