"""Find the functions a FunctionApp registers and resolve their bindings, as the host indexes them.

The app object is the only list of functions: everything here is read from `get_functions()`
and each function's `get_function_json()`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import azure.functions as func

STORAGE_CONNECTION = "AzureWebJobsStorage"

# Trigger types devhost can run, with the word `list` prints for them.
SUPPORTED_TRIGGERS = {
    "httpTrigger": "http",
    "timerTrigger": "timer",
    "queueTrigger": "queue",
    "blobTrigger": "blob",
    "serviceBusTrigger": "service bus (on demand: send-sb)",
}
_STORAGE_TRIGGERS = ("queueTrigger", "blobTrigger")
# Binding attributes that are names, not values, so `%...%` is not expanded in them.
_NOT_EXPANDED = ("name", "type", "direction", "connection")
_EXPRESSION = re.compile(r"%([^%]+)%")


class UnresolvedSetting(KeyError):
    """A `%NAME%` binding expression names an app setting that has no value."""


def resolve(value: str, app_settings: Mapping[str, str]) -> str:
    """Replace every `%NAME%` with its app setting (exact name first, then ignoring case,
    as app settings are environment variables and Windows hosts ignore case)."""
    lowered = {k.lower(): v for k, v in app_settings.items()}

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in app_settings:
            return app_settings[name]
        if name.lower() in lowered:
            return lowered[name.lower()]
        raise UnresolvedSetting(name)

    return _EXPRESSION.sub(lookup, value)


@dataclass(frozen=True)
class HostFunction:
    name: str
    trigger: dict[str, Any]
    """The trigger binding with `%...%` resolved (and `raw` holding the binding as registered)."""
    raw: dict[str, Any]
    bindings: tuple[dict[str, Any], ...]
    user_function: Callable[..., Any]
    problems: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return str(self.trigger["type"])

    @property
    def arg_name(self) -> str:
        return str(self.trigger["name"])

    @property
    def runnable(self) -> bool:
        return not self.problems

    def setting(self, key: str) -> str:
        return str(self.trigger[key])

    def describe(self) -> str:
        """One line for `python -m devhost list`."""
        t, raw = self.trigger, self.raw
        if self.kind == "httpTrigger":
            methods = t.get("methods") or ["ANY"]
            detail = f"{','.join(methods)} /{str(t.get('route') or self.name).lstrip('/')}"
        elif self.kind == "timerTrigger":
            detail = f"schedule {t.get('schedule')!r}"
            if t.get("runOnStartup"):
                detail += " runOnStartup"
        elif self.kind == "queueTrigger":
            detail = f"queue {t.get('queueName')!r} (poison: {t.get('queueName')}-poison)"
        elif self.kind == "blobTrigger":
            detail = f"path {t.get('path')!r} source {t.get('source', 'LogsAndContainerScan')}"
        elif self.kind == "serviceBusTrigger":
            entity = t.get("queueName") or f"{t.get('topicName')}/{t.get('subscriptionName')}"
            detail = f"entity {entity!r}"
        else:
            detail = ""
        expressions = sorted({m for v in raw.values() if isinstance(v, str) for m in _EXPRESSION.findall(v)})
        if expressions:
            detail += " from " + ", ".join(f"%{e}%" for e in expressions)
        line = f"{self.name:<28} {self.kind:<18} {detail}"
        if self.problems:
            line += "  [not run: " + "; ".join(self.problems) + "]"
        return line


def discover(app: func.FunctionRegister, app_settings: Mapping[str, str]) -> list[HostFunction]:
    # get_functions() remembers the names it has seen on the app object and refuses a second
    # call ("does not have a unique function name"); reset that memo so devhost can index an app
    # that a test or an earlier DevHost already indexed. Duplicates within one call still fail.
    app.functions_bindings = None
    return [_host_function(f, app_settings) for f in app.get_functions()]


def _host_function(function: Any, app_settings: Mapping[str, str]) -> HostFunction:
    name = function.get_function_name()
    bindings = json.loads(function.get_function_json())["bindings"]
    trigger_type = function.get_trigger().get_binding_name() if function.get_trigger() else None
    raw = next(b for b in bindings if b["type"] == trigger_type)
    others = tuple(b for b in bindings if b is not raw)
    problems: list[str] = []
    try:
        trigger = _resolved(raw, app_settings)
    except UnresolvedSetting as exc:
        problems.append(f"app setting %{exc.args[0]}% has no value")
        trigger = dict(raw)
    if raw["type"] not in SUPPORTED_TRIGGERS:
        problems.append(f"devhost does not run {raw['type']} functions")
    if raw["type"] in _STORAGE_TRIGGERS and raw.get("connection") not in (None, "", STORAGE_CONNECTION):
        problems.append(f"connection {raw['connection']!r}: devhost only knows {STORAGE_CONNECTION}")
    if raw["type"] == "blobTrigger" and "/" not in str(trigger.get("path", "")).strip("/"):
        problems.append("blob path must be <container>/<pattern>")
    for binding in others:
        if not (raw["type"] == "httpTrigger" and binding["type"] == "http"):
            # Other bindings need the host's binding extensions; code here uses SDK clients instead.
            problems.append(f"devhost does not support the {binding['type']} binding {binding['name']!r}")
    return HostFunction(name=name, trigger=trigger, raw=raw, bindings=others,
                        user_function=function.get_user_function(), problems=tuple(problems))


def _resolved(binding: dict[str, Any], app_settings: Mapping[str, str]) -> dict[str, Any]:
    return {k: resolve(v, app_settings) if isinstance(v, str) and k not in _NOT_EXPANDED else v
            for k, v in binding.items()}
