"""The Wonde connector: the client (client.py) over a retrying, paging transport (transport.py)."""

from adapters.wonde.client import WondeClient
from adapters.wonde.transport import RequestStats, RetryPolicy, Transport

__all__ = ["RequestStats", "RetryPolicy", "Transport", "WondeClient"]
