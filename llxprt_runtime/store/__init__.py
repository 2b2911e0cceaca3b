"""The session store: conversations kept in SQLite (never a secret). See service.py."""
