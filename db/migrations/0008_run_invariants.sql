CREATE TABLE "run_leases" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "unit_writes" DROP CONSTRAINT "unit_writes_run_id_pb_company_id_service_id_pk";--> statement-breakpoint
-- Hand-written (drizzle-kit added the key before the column, and NOT NULL with no value for the
-- claims of runs open during the deploy): each open claim gets its company's contract from the
-- run's stored plan; a claim without one is dropped, since its run cannot retry that write.
ALTER TABLE "unit_writes" ADD COLUMN "contract_id" integer;--> statement-breakpoint
UPDATE "unit_writes" AS w SET "contract_id" = (rc."plan"->>'contractId')::integer
FROM "run_companies" AS rc WHERE rc."run_id" = w."run_id" AND rc."pb_company_id" = w."pb_company_id";--> statement-breakpoint
DELETE FROM "unit_writes" WHERE "contract_id" IS NULL;--> statement-breakpoint
ALTER TABLE "unit_writes" ALTER COLUMN "contract_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD CONSTRAINT "unit_writes_run_id_contract_id_service_id_pk" PRIMARY KEY("run_id","contract_id","service_id");--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "target" integer;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "effective_date" text;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "posted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "adjustment_id" integer;--> statement-breakpoint
ALTER TABLE "run_leases" ADD CONSTRAINT "run_leases_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_leases" ADD CONSTRAINT "run_leases_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "unit_writes_pair_idx" ON "unit_writes" USING btree ("contract_id","service_id");