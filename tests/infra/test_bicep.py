"""The Bicep baseline, checked offline: every infra/**/*.bicep file is parsed with pycep
and its security posture is asserted on the parsed tree (there is no Bicep CLI here).

pycep notes: `a.b.c` parses as accessor(a, accessor(b, c)) and string literals lose
their quotes (so 'ServicePrincipal' and a symbol named principalId both come back as
plain strings). The Bicep avoids ternaries wherever an assertion needs a value.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

import bootstrap
from domain.platform.paths import CONTAINERS

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BICEP_FILES = sorted(INFRA.rglob("*.bicep"))

ROLE = {
    "storage_blob_data_owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "storage_queue_data_contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "storage_table_data_contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "storage_account_contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "service_bus_data_sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    "service_bus_data_receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    "monitoring_metrics_publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "cognitive_services_user": "a97b65f3-24c7-4388-baec-2e87135dc908",
}
STORAGE_DATA_ROLES = {ROLE["storage_blob_data_owner"], ROLE["storage_queue_data_contributor"],
                      ROLE["storage_table_data_contributor"]}
SERVICE_BUS_DATA_OWNER = "090c5cfd-751d-490a-894a-3ce6f1109419"

FORBIDDEN_FLEX_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_TIME_ZONE",
    "TZ",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
}


# --- parsing helpers -------------------------------------------------------------


@cache
def parse(path: Path) -> dict[str, Any]:
    return BicepParser().parse(file_path=path)


def template(relative: str) -> dict[str, Any]:
    return parse(INFRA / relative)


def body(resource: dict[str, Any]) -> dict[str, Any]:
    """The declared object of a resource or module, unwrapped from `for` loops and `if`."""
    config = resource["config"]
    while "config" in config and ("loop_type" in config or "condition" in config):
        config = config["config"]
    return config


def deployed(type_: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, symbol, resource) for every non-`existing` resource of a type, in every file."""
    found = []
    for path in BICEP_FILES:
        for symbol, resource in (parse(path).get("resources") or {}).items():
            if resource["type"] == type_ and not resource["existing"]:
                found.append((str(path.relative_to(INFRA)), symbol, resource))
    return found


def the_one(type_: str) -> dict[str, Any]:
    resources = deployed(type_)
    assert len(resources) == 1, f"expected exactly one {type_}, found {[r[:2] for r in resources]}"
    return body(resources[0][2])


def dotted(expr: Any) -> Any:
    """accessor(a, accessor(b, c)) -> 'a.b.c'; anything else is returned unchanged."""
    if isinstance(expr, dict) and expr.get("operator", {}).get("type") == "property_accessor":
        operands = expr["operator"]["operands"]
        return f"{dotted(operands['operand_1'])}.{dotted(operands['operand_2'])}"
    return expr


def evaluate(expr: Any, variables: dict[str, Any], conditions: dict[str, bool] | None = None) -> Any:
    """Evaluates the small subset of Bicep used for the role lists: variable references,
    property access, array and object literals, concat(), and `flag ? a : b` for a bool
    parameter given in `conditions`. Anything else is an error."""
    if isinstance(expr, list):
        return [evaluate(item, variables, conditions) for item in expr]
    if isinstance(expr, dict) and expr.get("operator", {}).get("type") == "conditional":
        operands = expr["operator"]["operands"]
        chosen = (conditions or {})[operands["condition"]]
        return evaluate(operands["true_value" if chosen else "false_value"], variables, conditions)
    if isinstance(expr, str):
        return evaluate(variables[expr]["value"], variables, conditions) if expr in variables else expr
    if isinstance(expr, dict) and "operator" in expr and expr["operator"]["type"] == "property_accessor":
        operands = expr["operator"]["operands"]
        return evaluate(operands["operand_1"], variables, conditions)[operands["operand_2"]]
    if isinstance(expr, dict) and "function" in expr and expr["function"]["type"] == "concat":
        return [item for arg in expr["function"]["parameters"].values()
                for item in evaluate(arg, variables, conditions)]
    if isinstance(expr, dict) and not {"operator", "function"} & set(expr):  # an object literal
        return {key: evaluate(value, variables, conditions) for key, value in expr.items()}
    raise AssertionError(f"cannot evaluate {expr!r}")


def loop_items(resource: dict[str, Any], variables: dict[str, Any]) -> list[str]:
    """The values a `[for x in list: ...]` resource iterates over."""
    loop = resource["config"]["loop_type"]
    return evaluate(loop["detail"]["array_name"], variables)


def names_of(type_: str, relative: str) -> set[str]:
    """Names of the resources of a type in one file, expanding loops over variables."""
    parsed = template(relative)
    names: set[str] = set()
    for resource in parsed["resources"].values():
        if resource["type"] != type_ or resource["existing"]:
            continue
        if "loop_type" in resource["config"]:
            names.update(loop_items(resource, parsed["variables"]))
        else:
            names.add(body(resource)["name"])
    return names


def module(relative: str, symbol: str) -> dict[str, Any]:
    return template(relative)["modules"][symbol]


# --- all files ---------------------------------------------------------------------


def test_the_expected_bicep_files_exist() -> None:
    names = {str(path.relative_to(INFRA)) for path in BICEP_FILES}

    assert {"main.bicep", "app/api.bicep", "app/storage.bicep", "app/messaging.bicep",
            "app/monitoring.bicep", "app/rbac.bicep", "app/translator.bicep"} <= names


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_every_bicep_file_parses(path: Path) -> None:
    parsed = parse(path)

    assert parsed.get("resources") or parsed.get("modules"), f"{path.name} declares nothing"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_only_local_modules_so_checkov_sees_every_resource(path: Path) -> None:
    for symbol, declared in (parse(path).get("modules") or {}).items():
        assert declared["type"] == "local", f"{path.name}: module {symbol} comes from a registry"
        assert (path.parent / declared["detail"]["path"]).is_file()


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_no_keys_or_secrets_are_read_anywhere(path: Path) -> None:
    text = path.read_text().lower()

    for needle in ("accountkey", "listkeys(", "listconnectionstrings(", "sharedaccesskey", "primarykey"):
        assert needle not in text, f"{path.name} mentions {needle}"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_every_new_resource_with_a_location_carries_the_environment_tags(path: Path) -> None:
    for symbol, resource in (parse(path).get("resources") or {}).items():
        declared = body(resource)
        if resource["existing"] or "location" not in declared:
            continue
        tags = declared.get("tags")
        if isinstance(tags, dict) and "function" in tags:  # union(tags, {...})
            tags = tags["function"]["parameters"]["arg_1"]
        assert tags == "tags", f"{path.name}: {symbol} does not get the tags"


def test_the_environment_tags_hold_azd_env_name() -> None:
    main = template("main.bicep")

    assert main["variables"]["tags"]["value"] == {"'azd-env-name'": "environmentName"}
    for symbol, declared in main["modules"].items():
        params = body(declared)["params"]
        if "tags" in parse(INFRA / declared["detail"]["path"])["parameters"]:
            assert params["tags"] == "tags", f"module {symbol} does not pass the tags"


# --- wiring the Bicep compiler would check ----------------------------------------------


def walk(expr: Any) -> list[Any]:
    """Every node of a parsed expression tree."""
    nodes = [expr]
    children = expr.values() if isinstance(expr, dict) else expr if isinstance(expr, list) else []
    for child in children:
        nodes.extend(walk(child))
    return nodes


@pytest.mark.parametrize("symbol", sorted(template("main.bicep")["modules"]))
def test_each_module_gets_exactly_the_parameters_it_declares(symbol: str) -> None:
    declared = template("main.bicep")["modules"][symbol]
    target = parse(INFRA / declared["detail"]["path"])["parameters"]
    passed = set(body(declared)["params"])

    assert passed <= set(target), f"{symbol} passes unknown parameters {passed - set(target)}"
    required = {name for name, param in target.items() if param.get("default") is None}
    assert required <= passed, f"{symbol} misses required parameters {required - passed}"


def test_every_module_output_used_in_main_exists() -> None:
    main = template("main.bicep")
    used = {match.groups() for node in walk([main["modules"], main["outputs"]])
            for match in [re.fullmatch(r"(\w+)\.outputs\.(\w+)", str(dotted(node)))] if match}

    assert used
    for symbol, output in used:
        outputs = parse(INFRA / main["modules"][symbol]["detail"]["path"])["outputs"]
        assert output in outputs, f"{symbol}.outputs.{output} does not exist"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_every_parameter_and_variable_is_used(path: Path) -> None:
    parsed = parse(path)
    text = re.sub(r"//.*", "", path.read_text())

    for name in [*(parsed.get("parameters") or {}), *(parsed.get("variables") or {})]:
        assert len(re.findall(rf"\b{name}\b", text)) >= 2, f"{path.name}: {name} is never used"


# --- main.bicep and its parameters ----------------------------------------------------


def test_main_creates_the_environment_resource_group_at_subscription_scope() -> None:
    main = template("main.bicep")
    groups = [body(r) for r in main["resources"].values()
              if r["type"] == "Microsoft.Resources/resourceGroups"]

    assert main["globals"]["scope"]["value"] == "subscription"
    assert [g["name"] for g in groups] == ["rg-${environmentName}"]
    assert all(body(m)["scope"] == "rg" for m in main["modules"].values())


def test_every_required_parameter_is_filled_from_the_azd_environment() -> None:
    declared = template("main.bicep")["parameters"]
    supplied = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]

    required = {name for name, param in declared.items() if param.get("default") is None}
    assert required <= set(supplied)
    assert set(supplied) <= set(declared)
    assert supplied["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert supplied["location"]["value"] == "${AZURE_LOCATION}"
    assert supplied["principalId"]["value"] == "${AZURE_PRINCIPAL_ID}"


def test_main_outputs_what_azd_and_the_hook_need() -> None:
    outputs = template("main.bicep")["outputs"]

    for name in ("AZURE_FUNCTION_NAME", "SERVICE_API_NAME", "SERVICE_API_URI", "AZURE_STORAGE_ACCOUNT_NAME",
                 "SERVICE_BUS_NAMESPACE", "RESOURCE_GROUP", "AZURE_EVENTGRID_SYSTEM_TOPIC_NAME"):
        assert name in outputs, name
    assert dotted(outputs["SERVICE_API_NAME"]["value"]) == "api.outputs.functionAppName"


def test_storage_account_name_is_a_lowercase_token_so_the_naming_skip_is_safe() -> None:
    # Backs the CKV_AZURE_43 skip: 'st' + toLower(uniqueString(...)) is 15 of [a-z0-9].
    main = template("main.bicep")
    token = main["variables"]["resourceToken"]["value"]["function"]

    assert body(main["modules"]["storage"])["params"]["storageAccountName"] == "st${resourceToken}"
    assert token["type"] == "to_lower"
    assert token["parameters"]["string_to_change"]["function"]["type"] == "unique_string"


# --- storage -------------------------------------------------------------------------


def test_storage_account_accepts_only_entra_id_over_tls_1_2() -> None:
    account = the_one("Microsoft.Storage/storageAccounts")
    properties = account["properties"]

    assert properties["allowSharedKeyAccess"] is False
    assert properties["minimumTlsVersion"] == "TLS1_2"
    assert properties["allowBlobPublicAccess"] is False
    assert properties["supportsHttpsTrafficOnly"] is True
    assert properties["defaultToOAuthAuthentication"] is True
    assert properties["allowCrossTenantReplication"] is False
    assert account["sku"]["name"] in {"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"}


def test_every_blob_container_is_private() -> None:
    containers = deployed("Microsoft.Storage/storageAccounts/blobServices/containers")

    assert containers
    for file, symbol, resource in containers:
        assert body(resource)["properties"]["publicAccess"] == "None", f"{file}: {symbol}"


def test_the_app_containers_exist_next_to_the_deployment_container() -> None:
    containers = names_of("Microsoft.Storage/storageAccounts/blobServices/containers", "app/storage.bicep")

    assert set(CONTAINERS) | {"deploymentContainerName"} <= containers


def test_the_deployment_container_follows_the_flex_naming_and_is_shared_with_the_app() -> None:
    main = template("main.bicep")
    name = main["variables"]["deploymentContainerName"]["value"]

    assert name.startswith("app-package-${take(functionAppName, 32)}-")
    assert body(main["modules"]["storage"])["params"]["deploymentContainerName"] == "deploymentContainerName"
    assert body(main["modules"]["api"])["params"]["deploymentContainerName"] == "deploymentContainerName"


def test_every_work_queue_exists_with_its_poison_queue() -> None:
    queues = names_of("Microsoft.Storage/storageAccounts/queueServices/queues", "app/storage.bicep")

    # every queue the app creates locally must be deployed too
    expected = set(bootstrap.QUEUES)
    assert expected | {f"{q}-poison" for q in expected} <= queues
    assert all(q.endswith("-poison") or f"{q}-poison" in queues for q in queues)


def test_the_state_tables_exist_with_valid_names() -> None:
    tables = names_of("Microsoft.Storage/storageAccounts/tableServices/tables", "app/storage.bicep")

    # every table the app creates locally (bootstrap.TABLES) must be deployed too
    assert set(bootstrap.TABLES) <= tables
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,62}", t) and t.lower() != "tables" for t in tables)


def test_an_event_grid_system_topic_publishes_the_storage_account_events() -> None:
    topic = the_one("Microsoft.EventGrid/systemTopics")

    assert topic["properties"]["topicType"] == "Microsoft.Storage.StorageAccounts"
    assert dotted(topic["properties"]["source"]) == "storage.id"


# --- function app --------------------------------------------------------------------


def test_the_plan_is_flex_consumption_on_linux() -> None:
    plan = the_one("Microsoft.Web/serverfarms")

    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True


def test_the_function_app_is_https_only_with_tls_1_2_and_no_ftp_or_debugging() -> None:
    app = the_one("Microsoft.Web/sites")
    site_config = app["properties"]["siteConfig"]

    assert app["kind"] == "functionapp,linux"
    assert app["properties"]["httpsOnly"] is True
    assert site_config["minTlsVersion"] == "1.2"
    assert site_config["scmMinTlsVersion"] == "1.2"
    assert site_config["ftpsState"] == "Disabled"
    assert site_config["http20Enabled"] is True
    assert site_config["remoteDebuggingEnabled"] is False


def test_basic_auth_publishing_is_disabled() -> None:
    policies = {body(r)["name"]: body(r) for _, _, r in
                deployed("Microsoft.Web/sites/basicPublishingCredentialsPolicies")}

    assert set(policies) == {"ftp", "scm"}
    assert all(p["properties"]["allow"] is False for p in policies.values())


def test_the_function_app_runs_as_the_user_assigned_identity() -> None:
    app = the_one("Microsoft.Web/sites")
    identities = template("app/api.bicep")["resources"]

    assert identities["identity"]["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert app["identity"]["type"] == "UserAssigned"
    assert list(app["identity"]["userAssignedIdentities"]) == ["'${identity.id}'"]


def test_the_function_app_is_python_3_11_with_identity_based_deployment_storage() -> None:
    config = the_one("Microsoft.Web/sites")["properties"]["functionAppConfig"]
    storage = config["deployment"]["storage"]
    params = template("app/api.bicep")["parameters"]

    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert storage["type"] == "blobContainer"
    assert storage["value"] == "${storage.properties.primaryEndpoints.blob}${deploymentContainerName}"
    assert storage["authentication"]["type"] == "UserAssignedIdentity"
    assert dotted(storage["authentication"]["userAssignedIdentityResourceId"]) == "identity.id"
    assert config["scaleAndConcurrency"] == {"instanceMemoryMB": "instanceMemoryMB",
                                             "maximumInstanceCount": "maximumInstanceCount"}
    assert params["instanceMemoryMB"]["default"] == 2048
    assert params["maximumInstanceCount"]["default"] == 100


def test_azd_finds_the_function_app_by_its_service_tag() -> None:
    tags = the_one("Microsoft.Web/sites")["tags"]["function"]

    assert tags["type"] == "union"
    assert tags["parameters"]["arg_2"] == {"'azd-service-name'": "api"}


def app_settings() -> dict[str, Any]:
    """siteConfig.appSettings as {name: value} (an explicit array: a `for` over values that
    are only known at deploy time would not compile)."""
    declared = the_one("Microsoft.Web/sites")["properties"]["siteConfig"]["appSettings"]
    assert isinstance(declared, list)
    assert all(set(setting) == {"name", "value"} for setting in declared)
    names = [setting["name"] for setting in declared]
    assert len(names) == len(set(names)), "an app setting is declared twice"
    return {setting["name"]: setting["value"] for setting in declared}


def test_no_app_setting_that_flex_consumption_forbids() -> None:
    assert not FORBIDDEN_FLEX_SETTINGS & set(app_settings())


def test_host_storage_and_service_bus_connect_with_the_managed_identity() -> None:
    settings = app_settings()

    assert "AzureWebJobsStorage" not in settings
    assert "ServiceBusConnection" not in settings
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert dotted(settings["AzureWebJobsStorage__clientId"]) == "identity.properties.clientId"
    for service in ("blob", "queue", "table"):
        uri = dotted(settings[f"AzureWebJobsStorage__{service}ServiceUri"])
        assert uri == f"storage.properties.primaryEndpoints.{service}"
    assert settings["ServiceBusConnection__credential"] == "managedidentity"
    assert dotted(settings["ServiceBusConnection__clientId"]) == "identity.properties.clientId"
    assert settings["ServiceBusConnection__fullyQualifiedNamespace"] == "serviceBusFullyQualifiedNamespace"


def test_telemetry_is_sent_with_entra_id() -> None:
    settings = app_settings()

    assert dotted(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]) == (
        "applicationInsights.properties.ConnectionString")
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == (
        "ClientId=${identity.properties.clientId};Authorization=AAD")


def test_no_other_connection_string_or_key_setting() -> None:
    for name in app_settings():
        assert name in ("APPLICATIONINSIGHTS_CONNECTION_STRING", "SMTP_PASSWORD") or not re.search(
            r"connectionstring|key|secret|password|sas", name, re.IGNORECASE), name


def test_letter_email_goes_to_communication_services_smtp_with_the_password_from_key_vault() -> None:
    settings = app_settings()
    site = the_one("Microsoft.Web/sites")
    api = template("app/api.bicep")["parameters"]
    main = template("main.bicep")
    passed = body(main["modules"]["api"])["params"]

    assert settings["SMTP_HOST"] == "smtpHost"
    assert settings["SMTP_PORT"]["function"]["type"] == "string"
    assert settings["SMTP_USE_TLS"] == "true"
    assert settings["SMTP_SENDER"] == "smtpSender"
    assert settings["SMTP_USERNAME"] == "smtpUsername"
    # a Key Vault reference resolved with the app's identity: no secret in the template or deployment
    assert settings["SMTP_PASSWORD"] == "@Microsoft.KeyVault(SecretUri=${smtpPasswordSecretUri})"
    assert dotted(site["properties"]["keyVaultReferenceIdentity"]) == "identity.id"
    assert "smtpPassword" not in api and "smtpPassword" not in main["parameters"]
    assert main["parameters"]["smtpHost"]["default"] == "smtp.azurecomm.net"
    assert main["parameters"]["smtpPort"]["default"] == 587
    for name in ("smtpHost", "smtpPort", "smtpSender", "smtpUsername", "smtpPasswordSecretUri"):
        assert passed[name] == name


def test_print_batches_are_built_hourly_per_school_local_hour() -> None:
    assert app_settings()["PRINT_BATCH_SCHEDULE"] == "0 5 * * * *"


def test_schedules_environment_and_token_validation_settings() -> None:
    settings = app_settings()

    assert settings["NIGHTLY_SCHEDULE"] == "0 0 2 * * *"
    assert settings["OUTBOX_RELAY_SCHEDULE"] == "0 */5 * * * *"
    assert settings["APP_ENVIRONMENT"] == "production"
    assert settings["AUTH_ISSUER"] == "authIssuer"
    assert settings["AUTH_AUDIENCE"] == "authAudience"
    assert settings["AUTH_JWKS_URI"] == "authJwksUri"


def test_main_points_token_validation_at_entra_id() -> None:
    main = template("main.bicep")
    params = body(main["modules"]["api"])["params"]

    assert main["variables"]["authority"]["value"] == (
        "${environment().authentication.loginEndpoint}${tokenTenantId}")
    assert params["authIssuer"] == "${authority}/v2.0"
    assert params["authJwksUri"] == "${authority}/discovery/v2.0/keys"
    assert params["authAudience"] == "authAudience"


# --- Service Bus and monitoring ------------------------------------------------------


def test_service_bus_is_standard_or_premium_with_entra_id_only() -> None:
    namespace = the_one("Microsoft.ServiceBus/namespaces")

    assert namespace["sku"]["name"] in {"Standard", "Premium"}
    assert namespace["sku"]["tier"] == namespace["sku"]["name"]
    assert namespace["properties"]["disableLocalAuth"] is True
    assert namespace["properties"]["minimumTlsVersion"] == "1.2"
    assert not deployed("Microsoft.ServiceBus/namespaces/AuthorizationRules")
    assert not deployed("Microsoft.ServiceBus/namespaces/authorizationRules")


def test_service_bus_has_the_domain_events_topic_with_a_subscription_and_the_sis_queue() -> None:
    variables = template("app/messaging.bicep")["variables"]
    entities = {kind: names_of(f"Microsoft.ServiceBus/namespaces/{kind}", "app/messaging.bicep")
                for kind in ("topics", "topics/subscriptions", "queues")}

    assert entities["topics"] == {"domainEventsTopicName"}
    assert variables["domainEventsTopicName"]["value"] == "domain-events"
    assert entities["topics/subscriptions"] == {"all-events"}
    assert "sis-sync-completed" in entities["queues"]


def test_application_insights_is_workspace_based_without_local_auth() -> None:
    component = the_one("Microsoft.Insights/components")

    assert component["properties"]["DisableLocalAuth"] is True
    assert dotted(component["properties"]["WorkspaceResourceId"]) == "logAnalytics.id"
    workspace = the_one("Microsoft.OperationalInsights/workspaces")
    assert workspace["properties"]["features"]["disableLocalAuth"] is True


# --- role assignments ----------------------------------------------------------------

SCOPE_TYPES = {
    "storageRoleIds": "Microsoft.Storage/storageAccounts",
    "serviceBusRoleIds": "Microsoft.ServiceBus/namespaces",
    "monitoringRoleIds": "Microsoft.Insights/components",
    "translatorRoleIds": "Microsoft.CognitiveServices/accounts",
}


def test_rbac_grants_each_role_list_to_the_principal_on_its_own_scope() -> None:
    rbac = template("app/rbac.bicep")
    assignments = {symbol: r for symbol, r in rbac["resources"].items()
                   if r["type"] == "Microsoft.Authorization/roleAssignments"}

    granted_lists = set()
    for symbol, assignment in assignments.items():
        loop = assignment["config"]["loop_type"]["detail"]
        declared = body(assignment)
        scope = declared["scope"]
        granted_lists.add(loop["array_name"])

        assert rbac["resources"][scope]["existing"] is True, symbol
        assert rbac["resources"][scope]["type"] == SCOPE_TYPES[loop["array_name"]], symbol
        assert declared["name"]["function"] == {"type": "guid", "parameters": {
            "base_string": {"operator": {"type": "property_accessor",
                                         "operands": {"operand_1": scope, "operand_2": "id"}}},
            "extra_string_1": "principalId", "extra_string_2": loop["item_name"]}}, symbol
        assert declared["properties"]["principalId"] == "principalId"
        assert declared["properties"]["principalType"] == "principalType"
        assert declared["properties"]["roleDefinitionId"]["function"] == {
            "type": "subscription_resource_id", "parameters": {
                "resource_type": "Microsoft.Authorization/roleDefinitions",
                "resource_name_1": loop["item_name"], "resource_name_2": None, "subscription_id": None}}
    assert granted_lists == set(SCOPE_TYPES)


def role_lists(symbol: str, translator: bool = True) -> dict[str, set[str]]:
    """The role ids a module grants per scope, with the translator deployed or not."""
    main = template("main.bicep")
    params = body(main["modules"][symbol])["params"]
    conditions = {"deployTranslator": translator}
    return {name: set(evaluate(params.get(name, []), main["variables"], conditions))
            for name in SCOPE_TYPES}


def test_the_managed_identity_gets_exactly_the_roles_the_app_needs() -> None:
    params = body(module("main.bicep", "appRoles"))["params"]
    roles = role_lists("appRoles")

    assert dotted(params["principalId"]) == "api.outputs.identityPrincipalId"
    assert params["principalType"] == "ServicePrincipal"
    assert roles["storageRoleIds"] == STORAGE_DATA_ROLES | {ROLE["storage_account_contributor"]}
    assert roles["serviceBusRoleIds"] == {ROLE["service_bus_data_sender"], ROLE["service_bus_data_receiver"]}
    assert roles["monitoringRoleIds"] == {ROLE["monitoring_metrics_publisher"]}
    assert roles["translatorRoleIds"] == {ROLE["cognitive_services_user"]}
    assert role_lists("appRoles", translator=False)["translatorRoleIds"] == set()
    api_outputs = template("app/api.bicep")["outputs"]
    assert dotted(api_outputs["identityPrincipalId"]["value"]) == "identity.properties.principalId"


def test_the_developer_gets_data_roles_only_when_a_principal_is_given() -> None:
    main = template("main.bicep")
    developer = module("main.bicep", "developerRoles")
    params = body(developer)["params"]
    roles = role_lists("developerRoles")

    assert developer["config"]["condition"] == {"operator": {"type": "not", "operands": {
        "bool_value": {"function": {"type": "empty", "parameters": {"item_to_test": "principalId"}}}}}}
    assert main["parameters"]["principalId"]["default"] == ""
    assert params["principalId"] == "principalId"
    assert params["principalType"] == "principalType"
    assert main["parameters"]["principalType"]["default"] == "User"
    assert roles["storageRoleIds"] == STORAGE_DATA_ROLES
    assert roles["serviceBusRoleIds"] == {ROLE["service_bus_data_sender"], ROLE["service_bus_data_receiver"]}
    assert roles["monitoringRoleIds"] == set()
    assert roles["translatorRoleIds"] == {ROLE["cognitive_services_user"]}


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_service_bus_data_owner_appears_in_no_file(path: Path) -> None:
    assert SERVICE_BUS_DATA_OWNER not in path.read_text().lower()


@pytest.mark.parametrize("symbol", ["appRoles", "developerRoles"])
def test_service_bus_data_owner_is_never_granted(symbol: str) -> None:
    assert all(SERVICE_BUS_DATA_OWNER not in ids for ids in role_lists(symbol).values())


# --- azd wiring ----------------------------------------------------------------------


def test_azure_yaml_deploys_the_repo_root_as_a_python_function_service() -> None:
    text = (ROOT / "azure.yaml").read_text()
    service = re.search(r"^services:\n  api:\n((?:    .*\n)+)", text, re.MULTILINE)

    assert service, "azure.yaml has no services.api block"
    assert {line.strip() for line in service.group(1).splitlines()} >= {
        "project: .", "language: python", "host: function"}
    assert re.search(r"^  postdeploy:\n(?:    .*\n)*?\s+run: \./scripts/post-up\.sh$", text, re.MULTILINE)


def test_the_postdeploy_hook_is_an_executable_posix_script() -> None:
    script = ROOT / "scripts" / "post-up.sh"

    assert os.access(script, os.X_OK)
    subprocess.run(["sh", "-n", str(script)], check=True)
    text = script.read_text()
    assert "Microsoft.Storage.BlobCreated" in text
    assert "systemKeys.blobs_extension" in text


# --- the API Management gateway: the rate limit across every app instance --------------------


def gateway_policy(calls: int = 600, client_calls: int = 3000) -> Any:
    """The policy XML as the Bicep fills it in (its two placeholders), parsed."""
    import xml.etree.ElementTree as ET

    text = (INFRA / "app" / "gateway-policy.xml").read_text()
    return ET.fromstring(text.replace("{rateLimitPerMinute}", str(calls))
                         .replace("{clientLimitPerMinute}", str(client_calls)))


def test_api_management_fronts_the_app_on_a_tier_with_rate_limit_by_key() -> None:
    gateway = the_one("Microsoft.ApiManagement/service")
    module_ = body(module("main.bicep", "gateway"))

    # the Consumption tier has no rate-limit-by-key; Developer has no SLA
    assert gateway["sku"]["name"] in {"BasicV2", "StandardV2", "Basic", "Standard", "Premium", "PremiumV2"}
    assert gateway["tags"] == "tags"
    protocols = gateway["properties"]["customProperties"]
    assert {k.strip("'").split("Security.")[1] for k, v in protocols.items() if v == "False"} == {
        f"{side}Protocols.{p}" for side in ("", "Backend.") for p in ("Tls10", "Tls11", "Ssl30")}
    assert dotted(module_["params"]["backendUri"]) == "api.outputs.defaultUri"
    assert dotted(template("main.bicep")["outputs"]["SERVICE_API_GATEWAY_URI"]["value"]) == (
        "gateway.outputs.gatewayUri")


def test_the_gateway_api_forwards_every_method_and_path_to_the_app_over_https() -> None:
    api = the_one("Microsoft.ApiManagement/service/apis")["properties"]
    [(_, _, operations)] = deployed("Microsoft.ApiManagement/service/apis/operations")

    assert api["path"] == "api" and api["serviceUrl"] == "${backendUri}/api"
    assert api["protocols"] == ["https"]
    assert api["subscriptionRequired"] is False  # callers present Entra ID tokens, not gateway keys
    assert set(loop_items(operations, template("app/gateway.bicep")["variables"])) == {
        "GET", "POST", "PUT", "PATCH", "DELETE"}
    assert body(operations)["properties"]["urlTemplate"] == "/*"


def test_the_policy_limits_each_caller_by_its_token_and_each_client_address() -> None:
    policy = the_one("Microsoft.ApiManagement/service/apis/policies")
    loaded = walk(policy["properties"]["value"])
    limits = gateway_policy(calls=600, client_calls=3000).findall("./inbound/rate-limit-by-key")

    assert policy["properties"]["format"] == "rawxml"
    loads = {"type": "load_text_content", "parameters": {"file_path": "gateway-policy.xml", "encoding": None}}
    assert loads in [n.get("function") for n in loaded if isinstance(n, dict)]
    assert [(lim.get("calls"), lim.get("renewal-period")) for lim in limits] == [("3000", "60"),
                                                                                 ("600", "60")]
    client, caller = (lim.get("counter-key") for lim in limits)
    assert "context.Request.IpAddress" in client
    assert "AsJwt()" in caller and '"oid"' in caller and '"tid"' in caller and "jwt.Subject" in caller


def test_the_gateway_limit_and_the_apps_own_default_agree() -> None:
    from settings import Settings

    declared = template("app/gateway.bicep")["parameters"]["rateLimitPerMinute"]["default"]
    passed = body(module("main.bicep", "gateway"))["params"]["rateLimitPerMinute"]

    assert passed == "rateLimitPerMinute"
    assert template("main.bicep")["parameters"]["rateLimitPerMinute"]["default"] == declared
    assert declared == Settings.model_fields["rate_limit_per_minute"].default
