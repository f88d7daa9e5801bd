/**
 * Apps Script entry points, and nothing else: the build turns each export into a top-level
 * function of `Code.js` (menus, triggers, custom functions and `google.script.run` all need one).
 */
import { redeConsulta, redeMunicipio } from './custom-functions';
import { translate } from './i18n';
import { continueJobs, useLocale } from './pull';
import { runScheduledRefresh, refreshAll } from './schedule';
import { currentLocale } from './services';
import { sidebarPush } from './sidebar-api';

useLocale(currentLocale);

export {
  sidebarConnect,
  sidebarDisconnect,
  sidebarInsert,
  sidebarListQueries,
  sidebarPush,
  sidebarQueryForm,
  sidebarRefresh,
  sidebarResolveConflicts,
  sidebarSchedule,
  sidebarSetLocale,
  sidebarState,
} from './sidebar-api';

export function onOpen(_event?: GoogleAppsScript.Events.SheetsOnOpen): void {
  const locale = currentLocale();
  SpreadsheetApp.getUi()
    .createAddonMenu()
    .addItem(translate(locale, 'menuOpen'), 'showSidebar')
    .addItem(translate(locale, 'menuRefreshAll'), 'menuRefreshAll')
    .addItem(translate(locale, 'menuPush'), 'menuPush')
    .addToUi();
}

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
  const result = refreshAll(currentLocale());
  SpreadsheetApp.getActiveSpreadsheet().toast(result.outcome, 'Rede Hub');
}

export function menuPush(): void {
  const summary = sidebarPush(false);
  SpreadsheetApp.getActiveSpreadsheet().toast(summary.message, 'Rede Hub');
}

/** Time trigger: resumes pulls that handed over before the 6-minute limit. */
export function continuePulls(): void {
  continueJobs();
}

/** Time trigger installed by *Agendar*. */
export function scheduledRefresh(): void {
  runScheduledRefresh(currentLocale());
}

export function REDE_MUNICIPIO(ibgeCode: unknown, field?: unknown) {
  return redeMunicipio(ibgeCode, field);
}

export function REDE_CONSULTA(name: unknown, ...pairs: unknown[]) {
  return redeConsulta(name, ...pairs);
}
