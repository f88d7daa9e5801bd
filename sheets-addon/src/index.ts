/**
 * Apps Script entry points, and nothing else: the build turns each export into a top-level
 * function of `Code.js` (menus, triggers, custom functions and `google.script.run` all need one).
 */
import { redeConsulta, redeMunicipio } from './custom-functions';
import { scriptDeadline, withDocumentLock } from './execution';
import { translate } from './i18n';
import { refreshTables, reportText } from './refresh';
import { runScheduledRefresh } from './schedule';
import { currentLocale, sessionLocale } from './services';
import { queuePreview } from './sidebar-api';

export {
  sidebarClearReaderKey,
  sidebarConnect,
  sidebarContinue,
  sidebarDisconnect,
  sidebarInsert,
  sidebarListQueries,
  sidebarPush,
  sidebarQueryForm,
  sidebarRefresh,
  sidebarResolveConflicts,
  sidebarSchedule,
  sidebarSetLocale,
  sidebarSetReaderKey,
  sidebarState,
} from './sidebar-api';

/**
 * Runs in AuthMode.NONE when the add-on is installed but not yet used in this spreadsheet
 * (nothing but the menu and the locale may be touched), LIMITED once it is enabled here, FULL
 * from `onInstall`. The menu is the same in all of them; only where its language comes from
 * differs.
 */
export function onOpen(event?: GoogleAppsScript.Events.SheetsOnOpen): void {
  const locale =
    !event || event.authMode === ScriptApp.AuthMode.NONE ? sessionLocale() : currentLocale();
  SpreadsheetApp.getUi()
    .createAddonMenu()
    .addItem(translate(locale, 'menuOpen'), 'showSidebar')
    .addItem(translate(locale, 'menuRefreshAll'), 'menuRefreshAll')
    .addItem(translate(locale, 'menuPush'), 'menuPush')
    .addToUi();
}

/** Installing from the domain's Marketplace runs this in FULL mode: the menu appears at once. */
export function onInstall(event?: GoogleAppsScript.Events.AddonOnInstall): void {
  onOpen(event as unknown as GoogleAppsScript.Events.SheetsOnOpen);
}

export function showSidebar(): void {
  const html = HtmlService.createHtmlOutputFromFile('Sidebar').setTitle(
    translate(currentLocale(), 'sidebarTitle'),
  );
  SpreadsheetApp.getUi().showSidebar(html);
}

export function menuRefreshAll(): void {
  const locale = currentLocale();
  const reports = withDocumentLock(() => refreshTables(null, scriptDeadline(), locale));
  SpreadsheetApp.getActiveSpreadsheet().toast(reportText(reports, locale), 'Rede Hub');
}

/** "Enviar alterações…" never sends from the menu: it opens the sidebar on a preview. */
export function menuPush(): void {
  queuePreview();
  showSidebar();
}

/** The time trigger of the scheduled refresh (it runs as the person who switched it on). */
export function scheduledRefresh(event?: { triggerUid?: string }): void {
  runScheduledRefresh(event, scriptDeadline(), currentLocale());
}

export function REDE_MUNICIPIO(ibgeCode: unknown, field?: unknown) {
  return redeMunicipio(ibgeCode, field);
}

export function REDE_CONSULTA(name: unknown, ...pairs: unknown[]) {
  return redeConsulta(name, ...pairs);
}
