/**
 * One spreadsheet in a fake Google: the services an add-on sees as globals, the people who share
 * the spreadsheet, and the ways an add-on's code gets to run (a menu or sidebar call, the simple
 * `onOpen` trigger, an installable trigger firing, a custom function recalculating).
 */
import { type AuthMode, type ExecutionKind, GoogleHost, type FakeUser } from './host';
import { validateManifest, type Manifest } from './manifest';
import { Locks, scriptGlobals, Triggers, type SyncHttp, type UiRecord } from './script';
import { FakeSpreadsheet } from './spreadsheet';
import { Storage } from './storage';

export { GoogleException, type AuthMode } from './host';
export type { FakeSheet, FakeSpreadsheet, FakeRange } from './spreadsheet';
export type { FakeTrigger } from './script';

/** The people of the tests: Ana owns the spreadsheet, Bea edits it (fictional, example domain). */
export const ANA = 'ana@cosems.example';
export const BEA = 'bea@cosems.example';

export interface Invocation {
  as?: string;
  authMode?: AuthMode;
  kind?: ExecutionKind;
}

export function createGoogle(options: { distDir: string; manifest: Manifest; http: SyncHttp }) {
  validateManifest(options.manifest);
  const host = new GoogleHost(ANA);
  host.addUser(BEA);
  host.scopes = options.manifest.oauthScopes ?? [];
  const book = new FakeSpreadsheet(host);
  const storage = new Storage(host);
  const triggers = new Triggers(host, book);
  const locks = new Locks(host);
  const ui: UiRecord = { menus: [], sidebars: [] };
  const globals = {
    ...storage.globals(),
    ...triggers.globals(),
    ...locks.globals(),
    ...scriptGlobals({
      host,
      book,
      manifest: options.manifest,
      distDir: options.distDir,
      http: options.http,
      ui,
    }),
  };

  /** Runs `body` as an execution started by `invocation` (defaults: Ana, FULL, a sidebar call). */
  function execute<T>(invocation: Invocation, body: () => T): T {
    const kind = invocation.kind ?? 'sidebar';
    const user: FakeUser = host.user(invocation.as ?? ANA);
    const authMode =
      invocation.authMode ?? (kind === 'custom-function' ? 'CUSTOM_FUNCTION' : 'FULL');
    return host.execute({ kind, user, authMode }, body);
  }

  return { host, book, storage, triggers, locks, ui, globals, execute, manifest: options.manifest };
}

export type Google = ReturnType<typeof createGoogle>;
