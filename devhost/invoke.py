"""Call a user function as the Python worker does: bind the trigger argument (converted to the
annotated type) and `context`, run sync or async code, and log one line per invocation.

The log line has the function name, trigger kind, outcome and duration, never a payload:
message bodies and blobs carry personal data.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
import time
import typing
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from azure.functions import _abc as azf_abc

from devhost.discovery import HostFunction
from devhost.hostconfig import ROOT
from services.platform.context import correlation, current_correlation_id

log = logging.getLogger("devhost")


class _TraceContext(azf_abc.TraceContext):
    def __init__(self, trace_parent: str = "", trace_state: str = "") -> None:
        self._parent, self._state = trace_parent, trace_state

    @property
    def trace_parent(self) -> str:
        return self._parent

    @property
    def trace_state(self) -> str:
        return self._state

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class _RetryContext(azf_abc.RetryContext):
    def __init__(self, retry_count: int, max_retry_count: int) -> None:
        self._count, self._max = retry_count, max_retry_count

    @property
    def retry_count(self) -> int:
        return self._count

    @property
    def max_retry_count(self) -> int:
        return self._max

    @property
    def exception(self) -> azf_abc.RpcException:
        raise AttributeError("devhost keeps no exception between attempts")


class DevContext(func.Context):
    """The `context` argument: what the worker passes, minus what only the host knows."""

    def __init__(self, function_name: str, *, trace_parent: str = "", trace_state: str = "",
                 retry_count: int = 0, max_retry_count: int = 0) -> None:
        self._invocation_id = str(uuid.uuid4())
        self._function_name = function_name
        self._trace = _TraceContext(trace_parent, trace_state)
        self._retry = _RetryContext(retry_count, max_retry_count)
        self._local = threading.local()

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def thread_local_storage(self) -> Any:
        return self._local

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return str(ROOT)

    @property
    def trace_context(self) -> azf_abc.TraceContext:
        return self._trace

    @property
    def retry_context(self) -> azf_abc.RetryContext:
        return self._retry


@dataclass
class Delivery:
    """What a trigger knows about this attempt, for `context.retry_context` and the log."""

    correlation_id: str | None = None
    attempt: int = 1
    max_attempts: int = 1
    trace_parent: str = ""
    trace_state: str = ""


@dataclass
class Outcome:
    """How the invocation log line reports a success."""

    text: str = "succeeded"
    correlation_id: str | None = None
    """The id the app itself answered with (an HTTP app picks its own when none came in)."""


class Invoker:
    def call(self, fn: HostFunction, value: Any, delivery: Delivery | None = None) -> Any:
        """Run the function to completion on this thread (async functions get their own loop,
        as each worker invocation would); exceptions propagate to the trigger."""
        delivery = delivery or Delivery()
        target, kwargs = self._bind(fn, value, delivery)
        with self._invocation(fn, delivery):
            result = target(**kwargs)
            if inspect.isawaitable(result):
                result = asyncio.run(_awaited(result))
            return result

    async def call_async(self, fn: HostFunction, value: Any, delivery: Delivery | None = None,
                         describe: Callable[[Any], Outcome] | None = None) -> Any:
        """Run on the caller's event loop (HTTP); sync functions go to a thread, as in the worker,
        and asyncio.to_thread carries the correlation id with them."""
        delivery = delivery or Delivery()
        target, kwargs = self._bind(fn, value, delivery)
        with self._invocation(fn, delivery) as outcome:
            if inspect.iscoroutinefunction(target):
                result = await target(**kwargs)
            else:
                result = await asyncio.to_thread(target, **kwargs)
            if describe:
                described = describe(result)
                outcome.text, outcome.correlation_id = described.text, described.correlation_id
            return result

    def _bind(self, fn: HostFunction, value: Any, delivery: Delivery) -> tuple[Callable[..., Any],
                                                                             dict[str, Any]]:
        if fn.problems:
            raise RuntimeError(f"{fn.name} cannot run under devhost: {'; '.join(fn.problems)}")
        target = fn.user_function
        params = inspect.signature(target).parameters
        kwargs: dict[str, Any] = {fn.arg_name: _as_annotated(value, _annotation(target, fn.arg_name))}
        # The worker passes the invocation context to a parameter named `context`.
        if "context" in params and fn.arg_name != "context":
            kwargs["context"] = DevContext(
                fn.name, trace_parent=delivery.trace_parent, trace_state=delivery.trace_state,
                retry_count=delivery.attempt - 1, max_retry_count=delivery.max_attempts - 1)
        return target, kwargs

    @contextmanager
    def _invocation(self, fn: HostFunction, delivery: Delivery) -> Iterator[Outcome]:
        outcome = Outcome()
        attempt = f" attempt {delivery.attempt}/{delivery.max_attempts}" if delivery.max_attempts > 1 else ""
        started = time.perf_counter()
        with correlation(delivery.correlation_id):
            try:
                yield outcome
            except Exception as exc:
                log.error("function %s (%s)%s failed after %.0f ms: %s", fn.name, fn.kind, attempt,
                          _ms(started), type(exc).__name__, exc_info=True)
                raise
            with correlation(outcome.correlation_id or current_correlation_id()):
                log.info("function %s (%s)%s %s in %.0f ms", fn.name, fn.kind, attempt, outcome.text,
                         _ms(started))


async def _awaited(awaitable: typing.Awaitable[Any]) -> Any:
    return await awaitable


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _annotation(target: Callable[..., Any], arg: str) -> Any:
    try:
        return typing.get_type_hints(target).get(arg)
    except (NameError, TypeError):
        # String annotations naming something not importable here: fall back to the raw text.
        return inspect.signature(target).parameters[arg].annotation


def _as_annotated(value: Any, annotation: Any) -> Any:
    """Convert the trigger object when the parameter asks for `str` or `bytes`, as the worker's
    converters do; anything else gets the trigger object itself."""
    if annotation in (bytes, "bytes", str, "str"):
        body = value.get_body() if hasattr(value, "get_body") else value.read()
        return body if annotation in (bytes, "bytes") else body.decode("utf-8")
    return value


def correlation_id_in(body: bytes) -> str | None:
    """The `correlationId` field of a JSON object body, so a message's work logs under the id
    of the request or job that queued it; None for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("correlationId") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None
