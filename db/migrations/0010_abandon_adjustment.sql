ALTER TABLE "unit_writes" ADD COLUMN "resolution" text;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "unit_writes" ADD COLUMN "resolved_by" text;