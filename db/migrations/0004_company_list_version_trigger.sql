-- Any change to a partner's company mappings bumps partners.companies_version in the same
-- transaction, so the API can cache a page of the company list exactly until it changes.
-- Statement-level with transition tables: a 5,000-row refresh bumps once, not 5,000 times.
CREATE FUNCTION bump_companies_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE partners SET companies_version = companies_version + 1
  WHERE id IN (SELECT DISTINCT partner_id FROM changed);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER company_mappings_inserted AFTER INSERT ON company_mappings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_companies_version();
--> statement-breakpoint
CREATE TRIGGER company_mappings_updated AFTER UPDATE ON company_mappings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_companies_version();
--> statement-breakpoint
CREATE TRIGGER company_mappings_deleted AFTER DELETE ON company_mappings
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_companies_version();
