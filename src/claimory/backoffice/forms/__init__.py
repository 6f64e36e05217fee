"""Staff forms: parse and shape input for the services, which own the real validation."""
