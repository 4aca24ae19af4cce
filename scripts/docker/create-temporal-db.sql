-- Runs once, when the PostgreSQL volume is new. The temporal-schema service (admin-tools'
-- temporal-sql-tool) creates Temporal's two databases itself; it only needs to be allowed to.
ALTER USER pbas CREATEDB;
