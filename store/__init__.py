"""Persistence for the domain: tables, the SQL that needs database guarantees, migrations."""
