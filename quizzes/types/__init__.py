"""Built-in question types; each module registers one type."""
