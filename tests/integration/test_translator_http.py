"""The Azure AI Translator adapter against a real local HTTP server: the request it sends (path,
query, headers for key and for Entra ID auth, JSON body), what it makes of the answer, clear
errors for throttling and failures, and no letter text in the logs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from adapters.translator import SCOPE, AzureTranslator, translator_from_settings
from services.letters.ports import TranslatorError
from settings import Settings

SECRET_TEXT = "<p>Dear Ms Kowalska, Zofia missed 12 days</p>"


@dataclass
class Script:
    status: int = 200
    body: Any = field(default_factory=lambda: [{"translations": [{"text": "<p>Szanowna</p>",
                                                                  "to": "pl"}]}])
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            url = urlsplit(self.path)
            script.seen.append({"path": url.path, "query": parse_qs(url.query),
                                "headers": dict(self.headers.items()),
                                "body": json.loads(self.rfile.read(length))})
            payload = json.dumps(script.body).encode()
            self.send_response(script.status)
            self.send_header("Content-Type", "application/json")
            for name, value in script.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


class FakeCredential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str) -> Any:
        self.scopes.append(scopes)
        return SimpleNamespace(token="tok-123", expires_on=0)


def test_a_key_request_has_the_documented_shape(server: tuple[str, Script]) -> None:
    url, script = server
    translator = AzureTranslator(url + "/", key="k-1", region="westeurope")
    assert translator.translate_html(SECRET_TEXT, "en", "pl") == "<p>Szanowna</p>"
    [req] = script.seen
    assert req["path"] == "/translate"
    assert req["query"] == {"api-version": ["3.0"], "from": ["en"], "to": ["pl"],
                            "textType": ["html"]}
    assert req["headers"]["Ocp-Apim-Subscription-Key"] == "k-1"
    assert req["headers"]["Ocp-Apim-Subscription-Region"] == "westeurope"
    assert "Authorization" not in req["headers"]
    assert req["headers"]["Content-Type"].startswith("application/json")
    assert req["body"] == [{"Text": SECRET_TEXT}]


def test_managed_identity_sends_a_bearer_token_for_cognitive_services(
        server: tuple[str, Script]) -> None:
    url, script = server
    credential = FakeCredential()
    custom = AzureTranslator(url + "/translator/text/v3.0", credential=credential)
    custom.translate_html("<p>x</p>", "en", "uk")
    global_ = AzureTranslator(url, credential=credential, region="westeurope",
                              resource_id="/subscriptions/s/resourceGroups/g/providers/"
                                          "Microsoft.CognitiveServices/accounts/t")
    global_.translate_html("<p>x</p>", "en", "uk")
    first, second = script.seen
    assert first["path"] == "/translator/text/v3.0/translate"
    assert first["headers"]["Authorization"] == "Bearer tok-123"
    assert "Ocp-Apim-Subscription-Key" not in first["headers"]
    assert "Ocp-Apim-ResourceId" not in first["headers"]
    assert second["headers"]["Ocp-Apim-ResourceId"].endswith("/accounts/t")
    assert second["headers"]["Ocp-Apim-Subscription-Region"] == "westeurope"
    assert credential.scopes == [(SCOPE,), (SCOPE,)]
    assert SCOPE == "https://cognitiveservices.azure.com/.default"


@pytest.mark.parametrize(("status", "headers", "words"), [
    (429, {"Retry-After": "7"}, ["throttling", "429", "429001", "retry after 7s"]),
    (500, {}, ["failed", "500", "try again later"]),
    (503, {}, ["failed", "503"]),
    (401, {}, ["refused", "401"]),
])
def test_errors_are_clear_and_log_no_text(server: tuple[str, Script], status: int,
                                          headers: dict[str, str], words: list[str],
                                          caplog: pytest.LogCaptureFixture) -> None:
    url, script = server
    script.status, script.headers = status, headers
    script.body = {"error": {"code": 429001 if status == 429 else status * 1000,
                             "message": "echo: " + SECRET_TEXT}}
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TranslatorError) as err:
        AzureTranslator(url, key="k-1").translate_html(SECRET_TEXT, "en", "ar")
    for word in words:
        assert word in str(err.value)
    assert "Kowalska" not in str(err.value)
    assert "Kowalska" not in caplog.text and "k-1" not in caplog.text
    assert str(status) in caplog.text


def test_a_success_logs_sizes_only(server: tuple[str, Script],
                                   caplog: pytest.LogCaptureFixture) -> None:
    url, _ = server
    caplog.set_level(logging.DEBUG)
    AzureTranslator(url, key="k-1").translate_html(SECRET_TEXT, "en", "pl")
    assert "Kowalska" not in caplog.text and "Szanowna" not in caplog.text
    assert f"translated {len(SECRET_TEXT)} characters en -> pl" in caplog.text


def test_an_answer_that_is_not_a_translation_is_an_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.body = {"unexpected": True}
    with pytest.raises(TranslatorError, match="not a translation"):
        AzureTranslator(url, key="k").translate_html("<p>x</p>", "en", "pl")


def test_an_unreachable_translator_is_an_error() -> None:
    with pytest.raises(TranslatorError, match="could not be reached"):
        AzureTranslator("http://127.0.0.1:9", key="k", timeout=2).translate_html("x", "en", "pl")


def test_too_long_a_text_is_refused_before_sending(server: tuple[str, Script]) -> None:
    url, script = server
    with pytest.raises(TranslatorError, match="at most 50000"):
        AzureTranslator(url, key="k").translate_html("x" * 50_001, "en", "pl")
    assert script.seen == []


def test_no_endpoint_means_no_translator() -> None:
    assert translator_from_settings(Settings()) is None
    configured = translator_from_settings(Settings(translator_endpoint="http://t",
                                                   translator_key="k"))
    assert isinstance(configured, AzureTranslator)
