-- The Prefect server's database next to the ledger's (POSTGRES_DB creates swo), on the first start of an
-- empty data volume only.
CREATE DATABASE prefect OWNER swo;
