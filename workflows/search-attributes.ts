/**
 * Custom search attributes: registered on the dev server by `npm start` and the tests, and
 * required on a real cluster (`temporal operator search-attribute create`; docker-compose's
 * temporal-setup and deploy/k8s/optional/temporal-setup-job.yaml do it). Never secrets.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  PartnerId: 'Keyword',
  SyncTrigger: 'Keyword',
  SyncStatus: 'Keyword',
} as const;

export const PartnerIdKey = defineSearchAttributeKey('PartnerId', SearchAttributeType.KEYWORD);
export const SyncTriggerKey = defineSearchAttributeKey('SyncTrigger', SearchAttributeType.KEYWORD);
/** A partnerSync run's outcome (`ok`, `warning`, `error`, `skipped`, …), set when it finishes: "failed runs last week" is one filter. */
export const SyncStatusKey = defineSearchAttributeKey('SyncStatus', SearchAttributeType.KEYWORD);
