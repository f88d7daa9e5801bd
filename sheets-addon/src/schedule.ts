import { checkedPropertyValue } from './batching';
import { AddonError, translate, type Locale } from './i18n';
import { continueJobs, refreshTable } from './pull';
import { documentProperties } from './services';
import { listBindings } from './table-store';

export type Frequency = 'off' | 'hourly' | 'daily';

export interface ScheduleState {
  frequency: Frequency;
  lastRun: { at: string; ok: boolean; outcome: string } | null;
}

export const SCHEDULE_HANDLER = 'scheduledRefresh';
const SCHEDULE_KEY = 'rede.schedule';

export function scheduleState(): ScheduleState {
  const raw = documentProperties().getProperty(SCHEDULE_KEY);
  return raw ? (JSON.parse(raw) as ScheduleState) : { frequency: 'off', lastRun: null };
}

function saveSchedule(state: ScheduleState): void {
  documentProperties().setProperty(
    SCHEDULE_KEY,
    checkedPropertyValue(SCHEDULE_KEY, JSON.stringify(state)),
  );
}

/** One time-driven trigger per spreadsheet, replaced when the frequency changes. */
export function setSchedule(frequency: Frequency): ScheduleState {
  for (const trigger of ScriptApp.getProjectTriggers()) {
    if (trigger.getHandlerFunction() === SCHEDULE_HANDLER) {
      ScriptApp.deleteTrigger(trigger);
    }
  }
  if (frequency === 'hourly') {
    ScriptApp.newTrigger(SCHEDULE_HANDLER).timeBased().everyHours(1).create();
  } else if (frequency === 'daily') {
    ScriptApp.newTrigger(SCHEDULE_HANDLER).timeBased().everyDays(1).atHour(6).create();
  }
  const state = { ...scheduleState(), frequency };
  saveSchedule(state);
  return state;
}

/** Refreshes every bound table; one failing table does not stop the others. */
export function refreshAll(locale: Locale): { ok: boolean; outcome: string } {
  const outcomes: string[] = [];
  let ok = true;
  for (const binding of listBindings()) {
    try {
      const result = refreshTable(binding.id);
      outcomes.push(
        result.status === 'done'
          ? `${binding.queryName ?? binding.id}: ${translate(locale, 'refreshed', { rows: result.rows, kept: result.kept })}`
          : `${binding.queryName ?? binding.id}: ${translate(locale, 'continuing', { rows: result.rows })}`,
      );
    } catch (error) {
      ok = false;
      outcomes.push(
        `${binding.queryName ?? binding.id}: ${error instanceof AddonError ? error.render(locale) : String(error)}`,
      );
    }
  }
  return { ok, outcome: outcomes.join('\n') || translate(locale, 'noTables') };
}

export function runScheduledRefresh(locale: Locale): ScheduleState {
  continueJobs();
  const result = refreshAll(locale);
  const state: ScheduleState = {
    ...scheduleState(),
    lastRun: {
      at: new Date().toISOString(),
      ok: result.ok,
      outcome: result.outcome.slice(0, 2000),
    },
  };
  saveSchedule(state);
  return state;
}
