-- The words of the registry's search index, one row each, for turning a searched word's prefix
-- into the few words that begin with it (exactWords in internal/store/search_words.go). An FTS5
-- vocabulary table holds nothing of its own: it reads the index. PostgreSQL's text search
-- expands a prefix within its own index and has no such table.
CREATE VIRTUAL TABLE agreement_search_vocabulary USING fts5vocab(agreement_search, row);
