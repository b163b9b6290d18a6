"""Scheduled reports and returns (issue 17)."""
