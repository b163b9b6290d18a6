"""Wiring per capability: each module builds one capability's services from the platform pieces
and the capabilities it needs; bootstrap.py assembles them. Everything is built on first use."""
