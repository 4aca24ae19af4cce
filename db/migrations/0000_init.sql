CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "autotask_settings" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"secret_ciphertext" text,
	"tracking_identifier" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"count_basis" text DEFAULT 'users' NOT NULL,
	"zone_name" text,
	"zone_url" text,
	"last_authenticated_at" timestamp with time zone,
	"last_authentication_ok" boolean,
	"last_authentication_detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "company_mappings" (
	"partner_id" text NOT NULL,
	"pb_company_id" text NOT NULL,
	"pb_company_name" text NOT NULL,
	"pb_company_active" boolean DEFAULT true NOT NULL,
	"autotask_company_id" integer,
	"autotask_company_name" text,
	"autotask_contract_id" integer,
	"autotask_contract_name" text,
	"status" text DEFAULT 'never_synced' NOT NULL,
	"detail" text,
	"last_sync_at" timestamp with time zone,
	"last_run_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "company_mappings_partner_id_pb_company_id_pk" PRIMARY KEY("partner_id","pb_company_id")
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_mappings" (
	"partner_id" text NOT NULL,
	"product_id" text NOT NULL,
	"product_name" text NOT NULL,
	"autotask_service_id" integer,
	"autotask_service_name" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "product_mappings_partner_id_product_id_pk" PRIMARY KEY("partner_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "sync_results" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"partner_id" text NOT NULL,
	"pb_company_id" text NOT NULL,
	"product_id" text DEFAULT '' NOT NULL,
	"autotask_contract_id" integer,
	"autotask_service_id" integer,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"units_before" integer,
	"units_after" integer,
	"adjustment_id" integer,
	"error_type" text,
	"detail" text,
	"extra" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"trigger" text DEFAULT 'manual' NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"billing_month" text,
	"effective_date" text,
	"total" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"units_changed" integer DEFAULT 0 NOT NULL,
	"adjustments" integer DEFAULT 0 NOT NULL,
	"detail" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sync_schedules" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"frequency" text NOT NULL,
	"day_of_week" text,
	"time" text NOT NULL,
	"timezone" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "autotask_settings" ADD CONSTRAINT "autotask_settings_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "company_mappings" ADD CONSTRAINT "company_mappings_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_mappings" ADD CONSTRAINT "product_mappings_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_results" ADD CONSTRAINT "sync_results_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_schedules" ADD CONSTRAINT "sync_schedules_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_idx" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_partner_idx" ON "api_keys" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "company_mappings_partner_name_idx" ON "company_mappings" USING btree ("partner_id","pb_company_name");--> statement-breakpoint
CREATE INDEX "company_mappings_partner_status_idx" ON "company_mappings" USING btree ("partner_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_results_run_company_product_idx" ON "sync_results" USING btree ("run_id","pb_company_id","product_id");--> statement-breakpoint
CREATE INDEX "sync_results_partner_company_idx" ON "sync_results" USING btree ("partner_id","pb_company_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_runs_partner_started_idx" ON "sync_runs" USING btree ("partner_id","started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_workflow_idx" ON "sync_runs" USING btree ("workflow_id");