"""No models: the search index lives in the database as generated columns (PostgreSQL) or FTS5
tables kept by triggers (SQLite), created by this app's migration (see ``schema``). The module
exists so that Django sends this app ``post_migrate``."""
