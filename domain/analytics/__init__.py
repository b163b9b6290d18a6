"""Analytics: attendance trends and intervention effects (issue 15)."""
