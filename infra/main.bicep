// Attendance intervention orchestrator: azd entry point.
// Subscription scope: creates rg-<environmentName> and deploys the app modules into it.
// Every resource is a plain `resource` declaration (no registry modules) so that
// Checkov and the pycep tests in tests/infra can read it offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used for the resource group name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Pick a region that offers the Flex Consumption plan.')
param location string

@description('Object id of a developer principal to grant the data-plane roles to (azd fills AZURE_PRINCIPAL_ID). Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Type of principalId: User for a developer, ServicePrincipal when azd runs in CI.')
param principalType string = 'User'

@description('Entra ID tenant that issues the bearer tokens the API accepts. Empty: the tenant of the deployment.')
param authTenantId string = ''

@description('Expected audience (aud claim) of bearer tokens.')
param authAudience string = 'api://attendance-orchestrator'

@description('SMTP server for letter e-mail: Azure Communication Services\' SMTP endpoint.')
param smtpHost string = 'smtp.azurecomm.net'

@description('SMTP port (587: STARTTLS).')
param smtpPort int = 587

@description('From address of letter e-mail: a MailFrom address of the Communication Services e-mail domain.')
param smtpSender string = ''

@description('SMTP user name (for Communication Services: the SMTP username of its Entra ID application).')
param smtpUsername string = ''

@description('Key Vault secret URI of the SMTP password (the Entra ID application\'s client secret); the app reads it with its managed identity, which needs Key Vault Secrets User on that vault. No secret passes through the deployment.')
param smtpPasswordSecretUri string = ''

@description('Deploy Azure AI Translator for machine-translated drafts of letter templates. Only template text is sent (never student or family data) and staff approve every draft before it is used. false: no translator; letters without an approved translation go out in the school language.')
param deployTranslator bool = true

@allowed([
  'F0'
  'S1'
])
@description('Translator pricing tier: F0 is free (one per subscription), S1 pays per character.')
param translatorSku string = 'S1'

@allowed([
  2048
  4096
])
@description('Flex Consumption instance memory size.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex Consumption scale-out limit.')
param maximumInstanceCount int = 100

@description('Publisher e-mail of the API Management gateway (it sends service notifications there).')
param gatewayPublisherEmail string = 'attendance-admin@example.org'

@minValue(1)
@description('Requests a minute per caller (bearer token tenant and object id) at the API Management gateway, across every app instance; the app\'s own limiter (RATE_LIMIT_PER_MINUTE, the same default) is the last line on each instance.')
param rateLimitPerMinute int = 600

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'
// The Flex deployment package container (azd uploads the zip here).
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

var tokenTenantId = empty(authTenantId) ? tenant().tenantId : authTenantId
var authority = '${environment().authentication.loginEndpoint}${tokenTenantId}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: 'st${resourceToken}'
    systemTopicName: 'evgt-${resourceToken}'
    deploymentContainerName: deploymentContainerName
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module messaging 'app/messaging.bicep' = {
  name: 'messaging'
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: 'sb-${resourceToken}'
  }
}

module translator 'app/translator.bicep' = if (deployTranslator) {
  name: 'translator'
  scope: rg
  params: {
    location: location
    tags: tags
    accountName: 'trsl-${resourceToken}'
    skuName: translatorSku
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    location: location
    tags: tags
    functionAppName: functionAppName
    planName: 'plan-${resourceToken}'
    identityName: 'id-${resourceToken}'
    storageAccountName: storage.outputs.storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusFullyQualifiedNamespace: messaging.outputs.fullyQualifiedNamespace
    domainEventsTopicName: messaging.outputs.domainEventsTopicName
    sisSyncQueueName: messaging.outputs.sisSyncQueueName
    authIssuer: '${authority}/v2.0'
    authAudience: authAudience
    authJwksUri: '${authority}/discovery/v2.0/keys'
    smtpHost: smtpHost
    smtpPort: smtpPort
    smtpSender: smtpSender
    smtpUsername: smtpUsername
    smtpPasswordSecretUri: smtpPasswordSecretUri
    // The custom-subdomain endpoint plus the Text Translation v3 path adapters/translator.py
    // appends /translate to. Empty: the app's translation feature is off.
    translatorEndpoint: deployTranslator ? '${translator.outputs.endpoint}translator/text/v3.0' : ''
    translatorRegion: deployTranslator ? location : ''
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

// Callers reach the API through API Management, whose rate-limit-by-key holds one counter per
// caller for all app instances (app/gateway-policy.xml).
module gateway 'app/gateway.bicep' = {
  name: 'gateway'
  scope: rg
  params: {
    location: location
    tags: tags
    gatewayName: 'apim-${resourceToken}'
    publisherEmail: gatewayPublisherEmail
    publisherName: 'Attendance intervention orchestrator (${environmentName})'
    backendUri: api.outputs.defaultUri
    rateLimitPerMinute: rateLimitPerMinute
  }
}

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
// Least privilege: data-plane roles, Service Bus Sender + Receiver (never Data Owner).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageAccountContributor: '17d1049b-9a84-46fb-8f53-869881c3d3ab'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  cognitiveServicesUser: 'a97b65f3-24c7-4388-baec-2e87135dc908'
}
var storageDataRoleIds = [
  roles.storageBlobDataOwner // host storage, deployment package, blob trigger and letters
  roles.storageQueueDataContributor // queue triggers and outputs, blob-trigger poison queue
  roles.storageTableDataContributor // application state
]
var serviceBusDataRoleIds = [
  roles.serviceBusDataSender // domain events out
  roles.serviceBusDataReceiver // sis-sync-completed in
]
// Translator calls with an Entra ID token (local auth is off): Cognitive Services User only.
var translatorRoleIds = deployTranslator ? [roles.cognitiveServicesUser] : []
var translatorAccountName = deployTranslator ? translator.outputs.name : ''

module appRoles 'app/rbac.bicep' = {
  name: 'app-roles'
  scope: rg
  params: {
    principalId: api.outputs.identityPrincipalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.storageAccountName
    serviceBusNamespaceName: messaging.outputs.namespaceName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    // Storage Account Contributor: the blob trigger needs it with an identity-based AzureWebJobsStorage.
    storageRoleIds: concat(storageDataRoleIds, [roles.storageAccountContributor])
    serviceBusRoleIds: serviceBusDataRoleIds
    // Telemetry ingestion with Entra ID (Application Insights local auth is disabled).
    monitoringRoleIds: [roles.monitoringMetricsPublisher]
    translatorAccountName: translatorAccountName
    translatorRoleIds: translatorRoleIds
  }
}

module developerRoles 'app/rbac.bicep' = if (!empty(principalId)) {
  name: 'developer-roles'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.storageAccountName
    serviceBusNamespaceName: messaging.outputs.namespaceName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    storageRoleIds: storageDataRoleIds
    serviceBusRoleIds: serviceBusDataRoleIds
    translatorAccountName: translatorAccountName
    translatorRoleIds: translatorRoleIds
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output RESOURCE_GROUP string = rg.name
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.functionAppName
output SERVICE_API_NAME string = api.outputs.functionAppName
output SERVICE_API_URI string = api.outputs.defaultUri
output SERVICE_API_GATEWAY_URI string = gateway.outputs.gatewayUri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = api.outputs.identityClientId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.storageAccountName
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output SERVICE_BUS_NAMESPACE string = messaging.outputs.namespaceName
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = messaging.outputs.fullyQualifiedNamespace
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AUTH_ISSUER string = '${authority}/v2.0'
output AUTH_AUDIENCE string = authAudience
output TRANSLATOR_ENABLED bool = deployTranslator
output AUTH_JWKS_URI string = '${authority}/discovery/v2.0/keys'
