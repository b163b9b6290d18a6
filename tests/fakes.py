"""Fakes that implement the service ports, for tests and local experiments."""

from __future__ import annotations

from collections.abc import Sequence

from domain.platform.events import IntegrationEvent


class InMemoryPublisher:
    """EventPublisher that keeps what it was given. `fail_next` makes the next N calls raise,
    as an unreachable Service Bus would."""

    def __init__(self) -> None:
        self.calls: list[list[IntegrationEvent]] = []
        self.fail_next = 0

    @property
    def events(self) -> list[IntegrationEvent]:
        return [e for call in self.calls for e in call]

    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("publisher unavailable")
        self.calls.append(list(events))
