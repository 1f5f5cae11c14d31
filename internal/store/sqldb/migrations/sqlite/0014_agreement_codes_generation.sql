-- A number that every transaction writing agreement_codes raises (agreementWriter.flush), by
-- which a server's copy of agreement_codes in memory (codesMemo in internal/store/codes_memo.go)
-- knows whether it is still the table's. One row, written by SQLite's one writer at a time.
-- Keep in step with ../postgres/0014_agreement_codes_generation.sql.
CREATE TABLE agreement_codes_generation (
    generation INTEGER NOT NULL
);
INSERT INTO agreement_codes_generation (generation) VALUES (0);
