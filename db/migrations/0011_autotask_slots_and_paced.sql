CREATE TABLE "autotask_slots" (
	"scope" text NOT NULL,
	"slot" integer NOT NULL,
	"holder" text,
	"expires_at" timestamp with time zone,
	CONSTRAINT "autotask_slots_scope_slot_pk" PRIMARY KEY("scope","slot")
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "paced_until" timestamp with time zone;