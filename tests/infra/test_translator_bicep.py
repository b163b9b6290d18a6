"""The Azure AI Translator baseline (infra/app/translator.bicep and its wiring in main.bicep,
api.bicep and rbac.bicep), asserted on the pycep parse tree like tests/infra/test_bicep.py."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.infra.test_bicep import INFRA, ROLE, app_settings, body, deployed, dotted, module, template

ACCOUNT = "Microsoft.CognitiveServices/accounts"


def translator() -> dict[str, Any]:
    found = deployed(ACCOUNT)
    assert [(path, symbol) for path, symbol, _ in found] == [("app/translator.bicep", "translator")]
    return body(found[0][2])


def conditional(expr: Any) -> dict[str, Any]:
    assert expr["operator"]["type"] == "conditional", expr
    return expr["operator"]["operands"]


def test_the_translator_is_text_translation_with_entra_id_only_on_a_custom_subdomain() -> None:
    account = translator()

    assert account["kind"] == "TextTranslation"
    assert account["properties"]["disableLocalAuth"] is True
    # Entra ID tokens are accepted only on a custom subdomain endpoint
    assert account["properties"]["customSubDomainName"] == "accountName"
    assert account["name"] == "accountName"
    assert account["properties"]["publicNetworkAccess"] == "Enabled"  # as storage and Service Bus
    assert account["sku"]["name"] == "skuName"
    assert template("app/translator.bicep")["parameters"]["skuName"]["default"] == "S1"


def test_the_translator_module_is_deployed_only_when_asked_and_on_by_default() -> None:
    main = template("main.bicep")
    declared = module("main.bicep", "translator")

    assert declared["config"]["condition"] == "deployTranslator"
    assert main["parameters"]["deployTranslator"]["type"] == "bool"
    assert main["parameters"]["deployTranslator"]["default"] is True
    assert body(declared)["params"]["accountName"] == "trsl-${resourceToken}"
    supplied = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert supplied["deployTranslator"]["value"] == "${DEPLOY_TRANSLATOR=true}"


def test_the_app_gets_the_custom_endpoint_with_the_adapters_path_and_the_region() -> None:
    settings = app_settings()
    passed = body(module("main.bicep", "api"))["params"]
    endpoint = conditional(passed["translatorEndpoint"])
    region = conditional(passed["translatorRegion"])

    assert settings["TRANSLATOR_ENDPOINT"] == "translatorEndpoint"
    assert settings["TRANSLATOR_REGION"] == "translatorRegion"
    assert "TRANSLATOR_KEY" not in settings  # the identity authenticates; local auth is off
    # adapters/translator.py appends /translate to the custom endpoint's v3.0 path
    assert endpoint == {"condition": "deployTranslator", "false_value": "",
                        "true_value": "${translator.outputs.endpoint}translator/text/v3.0"}
    assert region == {"condition": "deployTranslator", "true_value": "location", "false_value": ""}
    outputs = template("app/translator.bicep")["outputs"]
    assert dotted(outputs["endpoint"]["value"]) == "translator.properties.endpoint"
    api = template("app/api.bicep")["parameters"]
    assert api["translatorEndpoint"]["default"] == "" and api["translatorRegion"]["default"] == ""


def test_cognitive_services_user_is_granted_on_the_translator_account_only_when_deployed() -> None:
    main = template("main.bicep")
    variables = main["variables"]
    rbac = template("app/rbac.bicep")

    assert conditional(variables["translatorRoleIds"]["value"])["false_value"] == []
    assert dotted(conditional(variables["translatorRoleIds"]["value"])["true_value"][0]) == (
        "roles.cognitiveServicesUser")
    assert main["variables"]["roles"]["value"]["cognitiveServicesUser"] == ROLE["cognitive_services_user"]
    account_name = conditional(variables["translatorAccountName"]["value"])
    # the module output (not the literal name) makes the role wait for the account
    assert dotted(account_name["true_value"]) == "translator.outputs.name"
    for symbol in ("appRoles", "developerRoles"):
        params = body(module("main.bicep", symbol))["params"]
        assert params["translatorRoleIds"] == "translatorRoleIds"
        assert params["translatorAccountName"] == "translatorAccountName"
    assert rbac["resources"]["translator"]["type"] == ACCOUNT
    assert rbac["parameters"]["translatorRoleIds"]["default"] == []


def test_the_local_settings_sample_lists_the_translator_settings_empty() -> None:
    sample = json.loads((INFRA.parent / "local.settings.sample.json").read_text())["Values"]

    for name in ("TRANSLATOR_ENDPOINT", "TRANSLATOR_REGION", "TRANSLATOR_KEY", "TRANSLATOR_RESOURCE_ID"):
        assert sample[name] == "", name
    assert re.search(r"deployTranslator", (INFRA.parent / "docs" / "infra.md").read_text())
