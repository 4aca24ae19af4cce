ALTER TABLE "unit_writes" ADD COLUMN "id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "unit_writes_id_idx" ON "unit_writes" USING btree ("id");