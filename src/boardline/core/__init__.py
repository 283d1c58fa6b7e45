"""Platform core: settings, database, errors, clock, users, roles, audit trail, e-signatures."""
