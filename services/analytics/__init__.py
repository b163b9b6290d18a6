"""Analytics use cases (issue 15)."""
