"""Pure rules of mediation: no Flask, no database, no clock of their own."""
