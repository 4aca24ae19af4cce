CREATE TABLE "run_companies" (
	"run_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"pb_company_id" text NOT NULL,
	"plan" jsonb NOT NULL,
	CONSTRAINT "run_companies_run_id_position_pk" PRIMARY KEY("run_id","position")
);
--> statement-breakpoint
ALTER TABLE "run_companies" ADD CONSTRAINT "run_companies_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;