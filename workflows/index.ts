// The workflow bundle's entry: every workflow type the worker registers.
export { partnerSync } from './partner-sync.ts';
export { companySync } from './company-sync.ts';
export { monthEndReminders } from './month-end-reminders.ts';
