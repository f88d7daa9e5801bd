import { AddonError, describeError, translate, type Locale } from './i18n';
import { type Deadline, withDocumentLock } from './execution';
import { refreshTables, reportText } from './refresh';
import {
  currentUserLabel,
  documentProperties,
  setProperty,
  sheetTime,
  spreadsheet,
} from './services';

/**
 * The scheduled refresh of a spreadsheet: one installable time trigger, which belongs to — and
 * runs as, with the key of — the person who switched it on. An add-on gets one time trigger per
 * user per document, at most hourly, and nobody sees another person's triggers, so the
 * document's properties say who owns the schedule and which trigger is the current one: any
 * editor sees it is on and by whom, and may take it over; the previous owner's trigger retires
 * itself the next time it fires.
 */
export type Frequency = 'off' | 'hourly' | 'daily';

interface ScheduleRecord {
  frequency: Exclude<Frequency, 'off'>;
  owner: string;
  triggerUid: string;
  since: string;
  lastRun: { at: string; ok: boolean; outcome: string } | null;
}

export interface ScheduleView {
  frequency: Frequency;
  owner: string | null;
  mine: boolean;
  text: string;
  lastRun: { at: string; ok: boolean; outcome: string } | null;
}

export const SCHEDULE_HANDLER = 'scheduledRefresh';
const SCHEDULE_KEY = 'rede.schedule';
const OUTCOME_CHARACTERS = 1500;

function record(): ScheduleRecord | null {
  const raw = documentProperties().getProperty(SCHEDULE_KEY);
  return raw ? (JSON.parse(raw) as ScheduleRecord) : null;
}

function saveRecord(next: ScheduleRecord | null): void {
  if (next) {
    setProperty(documentProperties(), SCHEDULE_KEY, JSON.stringify(next));
  } else {
    documentProperties().deleteProperty(SCHEDULE_KEY);
  }
}

/** This person's triggers of this add-on in this spreadsheet (others' are invisible). */
function ownTriggers(): GoogleAppsScript.Script.Trigger[] {
  return ScriptApp.getUserTriggers(spreadsheet()).filter(
    (trigger) => trigger.getHandlerFunction() === SCHEDULE_HANDLER,
  );
}

function frequencyText(locale: Locale, frequency: Frequency): string {
  return translate(
    locale,
    frequency === 'hourly'
      ? 'scheduleHourly'
      : frequency === 'daily'
        ? 'scheduleDaily'
        : 'scheduleOff',
  ).toLowerCase();
}

export function scheduleView(locale: Locale): ScheduleView {
  const current = record();
  if (!current) {
    return {
      frequency: 'off',
      owner: null,
      mine: false,
      text: translate(locale, 'scheduleNone'),
      lastRun: null,
    };
  }
  const mine = ownTriggers().some((trigger) => trigger.getUniqueId() === current.triggerUid);
  const frequency = frequencyText(locale, current.frequency);
  return {
    frequency: current.frequency,
    owner: current.owner,
    mine,
    text: mine
      ? translate(locale, 'scheduleMine', { frequency })
      : translate(locale, 'scheduleOwned', { frequency, owner: current.owner }),
    lastRun: current.lastRun ? { ...current.lastRun, at: sheetTime(current.lastRun.at) } : null,
  };
}

/** Turns the schedule on, changes or off; someone else's schedule only with `takeOver`. */
export function setSchedule(frequency: Frequency, takeOver: boolean): void {
  const current = record();
  const mine =
    !!current && ownTriggers().some((trigger) => trigger.getUniqueId() === current.triggerUid);
  if (current && !mine && !takeOver) {
    throw new AddonError('errScheduleOwned', { owner: current.owner });
  }
  for (const trigger of ownTriggers()) {
    ScriptApp.deleteTrigger(trigger);
  }
  if (frequency === 'off') {
    saveRecord(null);
    return;
  }
  const clock = ScriptApp.newTrigger(SCHEDULE_HANDLER).timeBased();
  const trigger =
    frequency === 'hourly'
      ? clock.everyHours(1).create()
      : clock.everyDays(1).atHour(6).inTimezone(spreadsheet().getSpreadsheetTimeZone()).create();
  saveRecord({
    frequency,
    owner: currentUserLabel(),
    triggerUid: trigger.getUniqueId(),
    since: new Date().toISOString(),
    lastRun: current?.lastRun ?? null,
  });
}

/**
 * The trigger's handler. A trigger that is no longer the document's schedule (someone took it
 * over, or it was switched off by its owner elsewhere) deletes itself and does nothing.
 */
export function runScheduledRefresh(
  event: { triggerUid?: string } | undefined,
  deadline: Deadline,
  locale: Locale,
): 'refreshed' | 'retired' {
  const current = record();
  if (!current || current.triggerUid !== event?.triggerUid) {
    for (const trigger of ownTriggers()) {
      if (trigger.getUniqueId() === event?.triggerUid) {
        ScriptApp.deleteTrigger(trigger);
      }
    }
    return 'retired';
  }
  let lastRun: ScheduleRecord['lastRun'];
  try {
    const reports = withDocumentLock(() => refreshTables(null, deadline, locale), 60 * 1000);
    lastRun = {
      at: new Date().toISOString(),
      ok: reports.every((report) => report.status !== 'failed'),
      outcome: reportText(reports, locale).slice(0, OUTCOME_CHARACTERS),
    };
  } catch (error) {
    const busy = error instanceof AddonError && error.key === 'errBusy';
    lastRun = {
      at: new Date().toISOString(),
      ok: false,
      outcome: (busy ? translate(locale, 'busySkipped') : describeError(locale, error)).slice(
        0,
        OUTCOME_CHARACTERS,
      ),
    };
  }
  saveRecord({ ...(record() ?? current), lastRun });
  return 'refreshed';
}
