"""The host indexes what function_app registers (it otherwise fails with '0 functions found')."""

from __future__ import annotations

import json

import function_app

EXPECTED = {
    "http_app_func": "httpTrigger",
    "outbox_sweep": "timerTrigger",
    "outbox_dispatch": "queueTrigger",
    "nightly": "timerTrigger",
    "normalize_school": "queueTrigger",
    "sis_sync_completed": "serviceBusTrigger",
    "evaluate_school": "queueTrigger",
    "render_letter": "queueTrigger",
    "deliver_letter": "blobTrigger",
    "print_batch_timer": "timerTrigger",
    "build_print_batch": "queueTrigger",
    "wonde_sync_nightly": "timerTrigger",
    "wonde_sync_intraday": "timerTrigger",
    "wonde_sync_school": "queueTrigger",
    "send_meeting_notice": "queueTrigger",
}


def _bindings() -> dict[str, dict[str, object]]:
    app = function_app.app
    app.functions_bindings = {}  # get_functions() refuses a second call on the same object
    found = {}
    for fn in app.get_functions():
        trigger = next(b for b in json.loads(fn.get_function_json())["bindings"]
                       if b["type"].endswith("Trigger"))
        found[fn.get_function_name()] = trigger
    return found


def test_every_expected_function_is_indexed_with_its_trigger():
    found = _bindings()
    assert {name: b["type"] for name, b in found.items()} == EXPECTED


def test_trigger_settings_come_from_app_settings_not_literals():
    found = _bindings()
    assert found["http_app_func"]["authLevel"] == "ANONYMOUS"
    assert found["outbox_sweep"]["schedule"] == "%OUTBOX_RELAY_SCHEDULE%"
    assert found["outbox_dispatch"]["queueName"] == "outbox-dispatch"
    assert found["outbox_dispatch"]["connection"] == "AzureWebJobsStorage"
    assert found["nightly"]["schedule"] == "%NIGHTLY_SCHEDULE%"
    assert found["normalize_school"]["queueName"] == "normalize-school"
    assert found["normalize_school"]["connection"] == "AzureWebJobsStorage"
    assert found["sis_sync_completed"]["queueName"] == "%SIS_SYNC_QUEUE%"
    assert found["sis_sync_completed"]["connection"] == "ServiceBusConnection"
    assert found["evaluate_school"]["queueName"] == "evaluate-school"
    assert found["evaluate_school"]["connection"] == "AzureWebJobsStorage"
    assert found["render_letter"]["queueName"] == "letter-jobs"
    assert found["render_letter"]["connection"] == "AzureWebJobsStorage"
    assert found["deliver_letter"]["path"] == "letters/{name}"
    assert found["deliver_letter"]["source"] == "EventGrid"
    assert found["deliver_letter"]["connection"] == "AzureWebJobsStorage"
    assert found["print_batch_timer"]["schedule"] == "%PRINT_BATCH_SCHEDULE%"
    assert found["build_print_batch"]["queueName"] == "print-batch-jobs"
    assert found["build_print_batch"]["connection"] == "AzureWebJobsStorage"
    assert found["send_meeting_notice"]["queueName"] == "meeting-notices"
    assert found["send_meeting_notice"]["connection"] == "AzureWebJobsStorage"


def test_host_json_keeps_fastapi_paths_and_the_poison_threshold():
    host = json.loads(open(function_app.__file__.replace("function_app.py", "host.json")).read())
    assert host["extensions"]["http"]["routePrefix"] == ""
    assert host["extensions"]["queues"]["maxDequeueCount"] == 5
    assert host["extensionBundle"]["version"].startswith("[4.")
