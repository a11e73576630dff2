"""Accounts: registration, log-in, log-out, profile and password."""
