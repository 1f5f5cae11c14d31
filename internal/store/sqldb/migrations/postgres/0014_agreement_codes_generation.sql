-- The generation of agreement_codes, which SQLite servers raise and read to know whether their
-- copy of the codes in memory is current (codesMemo in internal/store/codes_memo.go). PostgreSQL
-- servers keep no copy and leave it at 0: their writers run side by side, and an import would
-- hold this row, and every other save of an agreement, until it commits. The table is here so
-- that both databases have one schema. Keep in step with ../sqlite/0014_agreement_codes_generation.sql.
CREATE TABLE agreement_codes_generation (
    generation BIGINT NOT NULL
);
INSERT INTO agreement_codes_generation (generation) VALUES (0);
