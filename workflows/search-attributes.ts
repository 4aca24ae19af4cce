/**
 * Custom search attributes: registered on the dev server by `npm start` and the tests, and
 * required on a real cluster (`temporal operator search-attribute create`). Never secrets.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  PartnerId: 'Keyword',
  SyncTrigger: 'Keyword',
} as const;

export const PartnerIdKey = defineSearchAttributeKey('PartnerId', SearchAttributeType.KEYWORD);
export const SyncTriggerKey = defineSearchAttributeKey('SyncTrigger', SearchAttributeType.KEYWORD);
