DROP INDEX "sync_results_run_company_product_idx";--> statement-breakpoint
ALTER TABLE "sync_results" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "sync_results" ADD COLUMN "unit_price" numeric;--> statement-breakpoint
ALTER TABLE "sync_results" ADD COLUMN "amount_change" numeric;--> statement-breakpoint
ALTER TABLE "sync_results" ADD CONSTRAINT "sync_results_run_company_pair_key" UNIQUE NULLS NOT DISTINCT("run_id","pb_company_id","product_id","autotask_contract_id","autotask_service_id");