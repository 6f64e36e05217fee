"""Claimory: the customer-experience layer for collision repair shops."""
