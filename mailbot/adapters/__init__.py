"""Thin adapters: the only modules that touch mail servers, the database, files or the clock."""
