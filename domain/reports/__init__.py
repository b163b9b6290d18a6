"""Reports and the regulators' returns (issue 17)."""
