"""Use cases: load rows, build domain inputs, call the domain, write rows, flush. Never commit."""
