/**
 * monthEndReminders: started once a day by the `month-end-reminders` schedule. One activity does
 * the work (which partners are failing near the month's end, and telling each once that day);
 * the workflow only gives it Temporal's retries and a visible history. No input: a hand start
 * from the Temporal UI behaves like the schedule, and the activity's day claims keep it to one
 * reminder per partner per day.
 */
import type { MonthEndRemindersResult } from '../activities/reminders.ts';
import { reminderSender } from './activity-options.ts';

export async function monthEndReminders(): Promise<MonthEndRemindersResult> {
  return reminderSender.sendMonthEndReminders();
}
