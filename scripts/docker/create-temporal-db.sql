-- Temporal's auto-setup creates its schemas itself; it only needs to be allowed to.
ALTER USER pbas CREATEDB;
