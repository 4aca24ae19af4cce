CREATE TABLE "unit_writes" (
	"run_id" uuid NOT NULL,
	"pb_company_id" text NOT NULL,
	"service_id" integer NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unit_writes_run_id_pb_company_id_service_id_pk" PRIMARY KEY("run_id","pb_company_id","service_id")
);
--> statement-breakpoint
ALTER TABLE "unit_writes" ADD CONSTRAINT "unit_writes_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;