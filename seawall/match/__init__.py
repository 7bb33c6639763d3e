"""Matching inventories against the vulnerability database."""
