CREATE TABLE "billing_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" text NOT NULL,
	"contract_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"effective_date" text NOT NULL,
	"units" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"pb_company_id" text NOT NULL,
	"product_ids" jsonb NOT NULL,
	"reason" text NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_releases" (
	"partner_id" text NOT NULL,
	"contract_id" integer NOT NULL,
	"service_id" integer NOT NULL,
	"pb_company_id" text NOT NULL,
	"units" integer NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pending_releases_partner_id_contract_id_service_id_pk" PRIMARY KEY("partner_id","contract_id","service_id")
);
--> statement-breakpoint
ALTER TABLE "company_mappings" ADD COLUMN "excluded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "company_mappings" ADD COLUMN "contract_shared_legacy" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_ledger" ADD CONSTRAINT "billing_ledger_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_releases" ADD CONSTRAINT "pending_releases_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_ledger_run_pair_idx" ON "billing_ledger" USING btree ("run_id","contract_id","service_id");--> statement-breakpoint
CREATE INDEX "billing_ledger_pair_latest_idx" ON "billing_ledger" USING btree ("partner_id","contract_id","service_id","set_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "billing_ledger_company_idx" ON "billing_ledger" USING btree ("partner_id","pb_company_id","set_at");--> statement-breakpoint
CREATE INDEX "pending_releases_company_idx" ON "pending_releases" USING btree ("partner_id","pb_company_id");--> statement-breakpoint
-- Rows that already share a contract (saved before "one contract, one company") would make the
-- unique index below fail. They are kept as they are, flagged, and left out of the index; every
-- run reports them as contract_shared and writes nothing to them until the MSP remaps.
UPDATE "company_mappings" AS m SET "contract_shared_legacy" = true
WHERE m."autotask_contract_id" IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM "company_mappings" AS o
    WHERE o."partner_id" = m."partner_id" AND o."autotask_contract_id" = m."autotask_contract_id" AND o."pb_company_id" <> m."pb_company_id"
  );--> statement-breakpoint
CREATE UNIQUE INDEX "company_mappings_partner_contract_idx" ON "company_mappings" USING btree ("partner_id","autotask_contract_id") WHERE "company_mappings"."autotask_contract_id" is not null and not "company_mappings"."contract_shared_legacy";