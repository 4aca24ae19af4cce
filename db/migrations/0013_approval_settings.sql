CREATE TABLE "approval_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" text NOT NULL,
	"pb_company_id" text NOT NULL,
	"held_run_id" uuid NOT NULL,
	"changes" text NOT NULL,
	"used_by_run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approval_settings" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"mode" text DEFAULT 'auto' NOT NULL,
	"max_seat_change" integer,
	"max_percent_change" numeric,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_held_run_id_sync_runs_id_fk" FOREIGN KEY ("held_run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_settings" ADD CONSTRAINT "approval_settings_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approval_grants_partner_company_idx" ON "approval_grants" USING btree ("partner_id","pb_company_id");