"""The staff web app's pages (issue 16)."""
