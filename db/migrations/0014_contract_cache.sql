CREATE TABLE "autotask_contracts" (
	"partner_id" text NOT NULL,
	"contract_id" integer NOT NULL,
	"company_id" integer NOT NULL,
	"contract_name" text NOT NULL,
	"contract_type" integer NOT NULL,
	"status" integer,
	"start_date" text,
	"end_date" text,
	"renewed_contract_id" integer,
	CONSTRAINT "autotask_contracts_partner_id_contract_id_pk" PRIMARY KEY("partner_id","contract_id")
);
--> statement-breakpoint
CREATE TABLE "contract_cache_state" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"read_through" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "autotask_contracts" ADD CONSTRAINT "autotask_contracts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contract_cache_state" ADD CONSTRAINT "contract_cache_state_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;