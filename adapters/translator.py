"""Azure AI Translator (Text Translation REST v3) behind the `Translator` port.

`POST {endpoint}/translate?api-version=3.0&from=..&to=..&textType=html` with `[{"Text": html}]`.
The endpoint is the global one (`https://api.cognitive.microsofttranslator.com`) or a resource's
custom one (`https://<name>.cognitiveservices.azure.com/translator/text/v3.0`).

Auth, as the service documents it:
- a key in development: `Ocp-Apim-Subscription-Key` (+ `Ocp-Apim-Subscription-Region` for a
  regional or multi-service resource);
- Microsoft Entra ID (the app's managed identity) in Azure: `Authorization: Bearer` for the scope
  `https://cognitiveservices.azure.com/.default`. A custom endpoint needs nothing else; the global
  endpoint also needs `Ocp-Apim-ResourceId` (the resource's ARM id) and the region. The identity
  needs the "Cognitive Services User" role on the resource.

Throttling (429), server errors and network failures raise TranslatorError: the caller (a draft
for staff to approve) can try again later. Logs carry status codes and sizes, never the text.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from services.letters.ports import TranslatorError
from settings import Settings

log = logging.getLogger(__name__)
SCOPE = "https://cognitiveservices.azure.com/.default"
MAX_CHARS = 50_000  # the service's limit for one request


class TokenCredential(Protocol):
    def get_token(self, *scopes: str) -> Any: ...  # an azure.core AccessToken (.token)


class AzureTranslator:
    def __init__(self, endpoint: str, *, key: str | None = None, region: str | None = None,
                 credential: TokenCredential | None = None, resource_id: str | None = None,
                 timeout: float = 30.0, client: httpx.Client | None = None) -> None:
        if not key and credential is None:
            raise ValueError("the translator needs a key or a credential")
        self._url = endpoint.rstrip("/") + "/translate"
        self._key, self._region, self._credential = key, region, credential
        self._resource_id = resource_id
        self._client = client or httpx.Client(timeout=timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if self._key:
            headers["Ocp-Apim-Subscription-Key"] = self._key
        else:
            assert self._credential is not None
            headers["Authorization"] = "Bearer " + self._credential.get_token(SCOPE).token
            if self._resource_id:
                headers["Ocp-Apim-ResourceId"] = self._resource_id
        if self._region:
            headers["Ocp-Apim-Subscription-Region"] = self._region
        return headers

    def translate_html(self, html: str, source: str, target: str) -> str:
        if len(html) > MAX_CHARS:
            raise TranslatorError(f"the text is {len(html)} characters; the translator takes "
                                  f"at most {MAX_CHARS} in one request")
        params = {"api-version": "3.0", "from": source, "to": target, "textType": "html"}
        try:
            response = self._client.post(self._url, params=params, json=[{"Text": html}],
                                         headers=self._headers())
        except httpx.HTTPError as exc:
            log.warning("translator unreachable (%s), %s -> %s", type(exc).__name__, source, target)
            raise TranslatorError(f"the translator could not be reached: {type(exc).__name__}") \
                from exc
        if response.status_code != 200:
            raise _error(response, source, target)
        try:
            text = response.json()[0]["translations"][0]["text"]
        except (ValueError, LookupError, TypeError) as exc:
            raise TranslatorError("the translator's answer is not a translation") from exc
        if not isinstance(text, str):
            raise TranslatorError("the translator's answer is not a translation")
        log.info("translated %s characters %s -> %s", len(html), source, target)
        return text


def _error(response: httpx.Response, source: str, target: str) -> TranslatorError:
    status = response.status_code
    try:  # {"error": {"code": 429001, "message": "..."}}: the code only, the message may echo input
        code = response.json()["error"]["code"]
    except (ValueError, LookupError, TypeError):
        code = None
    log.warning("translator answered %s (code %s), %s -> %s", status, code, source, target)
    if status == 429:
        retry = response.headers.get("Retry-After")
        return TranslatorError(f"the translator is throttling requests (429, code {code})"
                               + (f"; retry after {retry}s" if retry else ""))
    if status >= 500:
        return TranslatorError(f"the translator failed ({status}, code {code}); try again later")
    return TranslatorError(f"the translator refused the request ({status}, code {code})")


def translator_from_settings(settings: Settings) -> AzureTranslator | None:
    """The configured translator, or None (no TRANSLATOR_ENDPOINT: the feature is off)."""
    if not settings.translator_endpoint:
        return None
    key = settings.translator_key.get_secret_value() if settings.translator_key else None
    credential = None
    if not key:
        from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

        client_id = settings.storage.client_id  # the app's user-assigned identity
        credential = (ManagedIdentityCredential(client_id=client_id) if client_id
                      else DefaultAzureCredential())
    return AzureTranslator(settings.translator_endpoint, key=key,
                           region=settings.translator_region, credential=credential,
                           resource_id=settings.translator_resource_id)
