/**
 * The service's tables. Everything is scoped by partner (docs/design.md, domain rule 1). One schema
 * and one migration folder serve PostgreSQL (postgres.js) and embedded PGlite.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { unitReasons, type CompanyPlan, type ProductResult } from '../sync/records.ts';
import type { NotificationEvent } from '../sync/notifications.ts';
import { companyStatuses, runStatuses } from '../sync/vocabulary.ts';
import { approvalModes } from '../sync/approval.ts';

const createdAt = timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const partners = pgTable('partners', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('UTC'),
  /**
   * Bumped by a trigger (migration 0004) in the same transaction as any change to the partner's
   * company mappings, so a cached page of the company list is valid exactly while it is unchanged.
   */
  companiesVersion: bigint('companies_version', { mode: 'number' }).notNull().default(0),
  createdAt,
});

/** Partner API keys; only a SHA-256 hash is kept, the key itself is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    label: text('label'),
    createdAt,
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash), index('api_keys_partner_idx').on(t.partnerId)]
);

/** Autotask credentials and switches. `secretCiphertext` is AES-256-GCM under SECRETS_KEY. */
export const autotaskSettings = pgTable('autotask_settings', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  username: text('username').notNull(),
  secretCiphertext: text('secret_ciphertext'),
  trackingIdentifier: text('tracking_identifier'),
  enabled: boolean('enabled').notNull().default(false),
  countBasis: text('count_basis', { enum: ['users', 'licenses'] }).notNull().default('users'),
  zoneName: text('zone_name'),
  zoneUrl: text('zone_url'),
  lastAuthenticatedAt: timestamp('last_authenticated_at', { withTimezone: true }),
  lastAuthenticationOk: boolean('last_authentication_ok'),
  lastAuthenticationDetail: text('last_authentication_detail'),
  createdAt,
  updatedAt,
});

export const productMappings = pgTable(
  'product_mappings',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    productId: text('product_id').notNull(),
    productName: text('product_name').notNull(),
    autotaskServiceId: integer('autotask_service_id'),
    autotaskServiceName: text('autotask_service_name'),
    updatedAt,
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.productId] })]
);

export const syncSchedules = pgTable('sync_schedules', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  frequency: text('frequency', { enum: ['daily', 'weekly'] }).notNull(),
  dayOfWeek: text('day_of_week'),
  time: text('time').notNull(),
  timezone: text('timezone').notNull(),
  updatedAt,
});

/**
 * Every Password Boss company of a partner (refreshed from Password Boss), with its mapping to an
 * Autotask company and contract, and the outcome of its last sync. Unmapping clears the Autotask
 * columns but keeps the row, so history and status survive.
 */
export const companyMappings = pgTable(
  'company_mappings',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    pbCompanyId: text('pb_company_id').notNull(),
    pbCompanyName: text('pb_company_name').notNull(),
    pbCompanyActive: boolean('pb_company_active').notNull().default(true),
    autotaskCompanyId: integer('autotask_company_id'),
    autotaskCompanyName: text('autotask_company_name'),
    autotaskContractId: integer('autotask_contract_id'),
    autotaskContractName: text('autotask_contract_name'),
    /** Billed by hand: never synced, no warning, holds no contract. */
    excluded: boolean('excluded').notNull().default(false),
    /**
     * Set by migration 0006 on rows that already shared a contract when "one contract, one company"
     * arrived: they stay out of the unique index (so the migration cannot fail on them) and every
     * run flags them until the MSP remaps; saving a mapping clears it.
     */
    contractSharedLegacy: boolean('contract_shared_legacy').notNull().default(false),
    status: text('status', { enum: companyStatuses }).notNull().default('never_synced'),
    detail: text('detail'),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    lastRunId: uuid('last_run_id'),
    updatedAt,
  },
  (t) => [
    primaryKey({ columns: [t.partnerId, t.pbCompanyId] }),
    index('company_mappings_partner_name_idx').on(t.partnerId, t.pbCompanyName, t.pbCompanyId),
    index('company_mappings_partner_status_idx').on(t.partnerId, t.status),
    // One contract, one company (docs/design.md rule 6), held by the database too.
    uniqueIndex('company_mappings_partner_contract_idx')
      .on(t.partnerId, t.autotaskContractId)
      .where(sql`${t.autotaskContractId} is not null and not ${t.contractSharedLegacy}`),
  ]
);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    workflowId: text('workflow_id').notNull(),
    trigger: text('trigger').notNull().default('manual'),
    dryRun: boolean('dry_run').notNull().default(false),
    status: text('status', { enum: runStatuses }).notNull().default('running'),
    billingMonth: text('billing_month'),
    effectiveDate: text('effective_date'),
    total: integer('total').notNull().default(0),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    unitsChanged: integer('units_changed').notNull().default(0),
    adjustments: integer('adjustments').notNull().default(0),
    detail: text('detail'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** While the run waits for the tenant's Autotask budget (rule 10): when it reads the usage again. */
    pacedUntil: timestamp('paced_until', { withTimezone: true }),
  },
  (t) => [
    index('sync_runs_partner_started_idx').on(t.partnerId, t.startedAt),
    index('sync_runs_workflow_idx').on(t.workflowId),
  ]
);

/**
 * The plan of a run, one row per company, in a stable order the workflow pages through (so
 * workflow inputs and history stay small however many companies a partner has).
 */
export const runCompanies = pgTable(
  'run_companies',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    pbCompanyId: text('pb_company_id').notNull(),
    plan: jsonb('plan').$type<CompanyPlan>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.position] })]
);

/** One row per company (and product) of a run: units before → after, adjustment, or error. */
export const syncResults = pgTable(
  'sync_results',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    partnerId: text('partner_id').notNull(),
    pbCompanyId: text('pb_company_id').notNull(),
    productId: text('product_id').notNull().default(''),
    autotaskContractId: integer('autotask_contract_id'),
    autotaskServiceId: integer('autotask_service_id'),
    action: text('action').notNull(),
    status: text('status', { enum: companyStatuses }).notNull(),
    unitsBefore: integer('units_before'),
    unitsAfter: integer('units_after'),
    adjustmentId: integer('adjustment_id'),
    errorType: text('error_type'),
    detail: text('detail'),
    /** Why the service got its target (sync/records.ts `unitReasons`); null on rows without an action. */
    reason: text('reason', { enum: unitReasons }),
    /** The contract service's unit price, and (after − before) × price: what the invoice changes by. */
    unitPrice: numeric('unit_price', { mode: 'number' }),
    amountChange: numeric('amount_change', { mode: 'number' }),
    /**
     * Unused. Dropped in a later release: the previous release still selects it, so dropping it
     * now would break its instances during a rolling deploy.
     */
    extra: jsonb('extra'),
    createdAt,
  },
  (t) => [
    // One row per company, product and (contract, service) of a run: a company whose billing moved
    // has the same product on the pair it left (zeroed) and on the pair it moved to. Recording an
    // outcome again (an activity retry) hits this key and changes nothing, rows without a service
    // included (NULLS NOT DISTINCT).
    unique('sync_results_run_company_pair_key').on(t.runId, t.pbCompanyId, t.productId, t.autotaskContractId, t.autotaskServiceId).nullsNotDistinct(),
    index('sync_results_partner_company_idx').on(t.partnerId, t.pbCompanyId, t.createdAt),
  ]
);

/**
 * One row per Autotask write a run started, keyed by what Autotask changes: (run, contract,
 * service). So a run posts at most one adjustment to a contract service, whichever company or
 * attempt gets there (docs/design.md rule 8). Made before the write; `posted_at` and the
 * adjustment id are saved the moment Autotask accepts the adjustment, before the confirming read;
 * the result once the write is settled. A retry that finds the row re-reads instead of trusting
 * the run's batched read; one that finds it posted only re-reads, never posts; one that finds the
 * result skips the service. Durable, so this holds across a crashed worker too.
 *
 * Deleted when the run finishes, except a posted adjustment that never read back: it stays, and
 * every later run re-reads that pair and posts nothing to it until Autotask's units show it or
 * the MSP abandons it (`resolution`).
 */
export const unitWrites = pgTable(
  'unit_writes',
  {
    /**
     * The claim's own id: what the MSP abandons it by when Autotask accepted the adjustment
     * without naming it (rule 8), so the claim has no adjustment id to address it with.
     */
    id: uuid('id').notNull().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    contractId: integer('contract_id').notNull(),
    serviceId: integer('service_id').notNull(),
    /** The company whose plan claimed the write: another company of the run may not write the pair. */
    pbCompanyId: text('pb_company_id').notNull(),
    attempts: integer('attempts').notNull().default(1),
    /** The units and date the write aims at, saved with the claim. */
    target: integer('target'),
    effectiveDate: text('effective_date'),
    /** Set when Autotask accepted the adjustment (its id when the answer named it). */
    postedAt: timestamp('posted_at', { withTimezone: true }),
    adjustmentId: integer('adjustment_id'),
    /** Written by this service only; still parsed on read, as any stored JSON is. */
    result: jsonb('result').$type<ProductResult>(),
    /**
     * How a posted adjustment that never read back was settled (docs/design.md rule 8): `applied`
     * when a later run saw its units, `abandoned` when the MSP declared it will never apply. Null
     * while it waits; a settled row is kept as the record of who settled it and when.
     */
    resolution: text('resolution', { enum: ['applied', 'abandoned'] }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** Who abandoned it: `admin`, or `api-key:<key id>`. */
    resolvedBy: text('resolved_by'),
    createdAt,
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.contractId, t.serviceId] }),
    uniqueIndex('unit_writes_id_idx').on(t.id),
    // Later runs look up adjustments of a pair still waiting to read back.
    index('unit_writes_pair_idx').on(t.contractId, t.serviceId),
  ]
);

/**
 * One run of a partner at a time, whatever started it (docs/design.md rule 12): the run holding
 * the lease. Taken when a run starts, released when it finishes; a run that ended in Temporal
 * without finishing (terminated, crashed) loses it to the next start.
 */
export const runLeases = pgTable('run_leases', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  runId: uuid('run_id')
    .notNull()
    .references(() => syncRuns.id, { onDelete: 'cascade' }),
  workflowId: text('workflow_id').notNull(),
  takenAt: timestamp('taken_at', { withTimezone: true }).notNull().defaultNow(),
});

export const ledgerReasons = ['count', 'product_removed', 'moved_contract', 'moved_service', 'released'] as const;
export type LedgerReason = (typeof ledgerReasons)[number];

/**
 * The ownership ledger (docs/design.md rule 8b): every confirmed write of units to a (contract,
 * service), with the company mapping and products that produced it. The latest row per pair says
 * who owns it; all rows are the history the portal charts. Not tied to sync_runs by a foreign
 * key: pruning old runs must not forget what the service owns in Autotask.
 */
export const billingLedger = pgTable(
  'billing_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    contractId: integer('contract_id').notNull(),
    serviceId: integer('service_id').notNull(),
    effectiveDate: text('effective_date').notNull(),
    units: integer('units').notNull(),
    runId: uuid('run_id').notNull(),
    pbCompanyId: text('pb_company_id').notNull(),
    productIds: jsonb('product_ids').$type<string[]>().notNull(),
    reason: text('reason', { enum: ledgerReasons }).notNull(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A run writes a pair at most once; recording its confirmation again (a retry) is harmless.
    uniqueIndex('billing_ledger_run_pair_idx').on(t.runId, t.contractId, t.serviceId),
    // The latest row per (partner, contract, service): an index scan, newest first.
    index('billing_ledger_pair_latest_idx').on(t.partnerId, t.contractId, t.serviceId, t.setAt.desc()),
    index('billing_ledger_company_idx').on(t.partnerId, t.pbCompanyId, t.setAt),
  ]
);

/** Pairs a stop left behind that the MSP asked the next run to zero (`?release=zero`). */
export const pendingReleases = pgTable(
  'pending_releases',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    contractId: integer('contract_id').notNull(),
    serviceId: integer('service_id').notNull(),
    pbCompanyId: text('pb_company_id').notNull(),
    units: integer('units').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.contractId, t.serviceId] }), index('pending_releases_company_idx').on(t.partnerId, t.pbCompanyId)]
);

/**
 * Where a partner's run outcomes are told (docs/design.md rule 14). The webhook's signing secret
 * is sealed by the secret box for this partner (purpose `webhook-secret`), like the Autotask one.
 */
export const notificationSettings = pgTable('notification_settings', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  emails: jsonb('emails').$type<string[]>().notNull().default([]),
  webhookUrl: text('webhook_url'),
  webhookSecretCiphertext: text('webhook_secret_ciphertext'),
  events: jsonb('events').$type<NotificationEvent[]>().notNull().default([]),
  updatedAt,
});

/**
 * One row per (run, channel) once that channel has been told about the run: a retried notify
 * activity skips what was already sent, so a run is told at most once per channel.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    event: text('event').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.channel] })]
);

/**
 * Autotask's thread limit held across every worker process (docs/design.md rule 10): one row per
 * slot of a (tenant, tracking identifier, endpoint), `slot` 0–2. A request holds a slot while it
 * is in flight; the holder renews `expires_at` while it waits for the answer, so a holder that
 * died (SIGKILL, lost machine) frees its slot when the lease runs out. Not scoped to a partner:
 * partners that share a tenant and tracking identifier share its threads.
 */
export const autotaskSlots = pgTable(
  'autotask_slots',
  {
    /** `<tenant>|<tracking identifier>|<endpoint>`; the tenant is its `ci`, else its zone URL. */
    scope: text('scope').notNull(),
    slot: integer('slot').notNull(),
    /** A random token per acquisition, so only its holder releases or renews it. */
    holder: text('holder'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.scope, t.slot] })]
);

/**
 * One row per (partner, local date, channel) once the month-end reminder is claimed for that
 * channel: written before sending, so a retried activity or a schedule that fires twice sends a
 * partner at most one reminder a day per channel. A send that fails removes its claim to retry.
 */
export const reminderDeliveries = pgTable(
  'reminder_deliveries',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    channel: text('channel', { enum: ['email', 'webhook'] }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.day, t.channel] })]
);

/**
 * A partner's approval settings (issue 17, sync/approval.ts): `review` holds a company whose
 * planned change goes beyond a guardrail. No row: `auto`, nothing held.
 */
export const approvalSettings = pgTable('approval_settings', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  mode: text('mode', { enum: approvalModes }).notNull().default('auto'),
  maxSeatChange: integer('max_seat_change'),
  maxPercentChange: numeric('max_percent_change', { mode: 'number' }),
  updatedAt,
});

/**
 * An approval of a held company's changes: the next real run writes that company past the
 * guardrails only while its plan is exactly `changes` (sync/preview.ts canonical text), and uses
 * the grant up. Written only by the approve endpoint, so nothing else can bypass a guardrail.
 */
export const approvalGrants = pgTable(
  'approval_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    pbCompanyId: text('pb_company_id').notNull(),
    /** The run that held the change. */
    heldRunId: uuid('held_run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    changes: text('changes').notNull(),
    /** The run that wrote the approved change; null until one did. */
    usedByRunId: uuid('used_by_run_id'),
    createdAt,
  },
  (t) => [index('approval_grants_partner_company_idx').on(t.partnerId, t.pbCompanyId)]
);

/**
 * The Autotask contracts a partner's runs use, as last read (docs/design.md, "Contracts between
 * runs"). A run re-reads only contracts Autotask stamped `lastModifiedDateTime` after
 * `contractCacheState.readThrough`, and those missing here; every contract a run writes to is read
 * again in that run before anything is written.
 */
export const autotaskContracts = pgTable(
  'autotask_contracts',
  {
    partnerId: text('partner_id')
      .notNull()
      .references(() => partners.id, { onDelete: 'cascade' }),
    contractId: integer('contract_id').notNull(),
    companyId: integer('company_id').notNull(),
    contractName: text('contract_name').notNull(),
    contractType: integer('contract_type').notNull(),
    status: integer('status'),
    startDate: text('start_date'),
    endDate: text('end_date'),
    renewedContractId: integer('renewed_contract_id'),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.contractId] })]
);

/**
 * Up to when the cached contracts are known current (our clock, before the read was sent), and for
 * which Autotask API user: other credentials may be another tenant, whose contracts these are not.
 */
export const contractCacheState = pgTable('contract_cache_state', {
  partnerId: text('partner_id')
    .primaryKey()
    .references(() => partners.id, { onDelete: 'cascade' }),
  username: text('username').notNull(),
  readThrough: timestamp('read_through', { withTimezone: true }).notNull(),
});

export const schema = {
  partners,
  apiKeys,
  autotaskSettings,
  productMappings,
  syncSchedules,
  companyMappings,
  syncRuns,
  runCompanies,
  syncResults,
  unitWrites,
  runLeases,
  billingLedger,
  pendingReleases,
  notificationSettings,
  notificationDeliveries,
  autotaskSlots,
  reminderDeliveries,
  approvalSettings,
  approvalGrants,
  autotaskContracts,
  contractCacheState,
};

