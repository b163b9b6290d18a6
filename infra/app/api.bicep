// The function app: a user-assigned managed identity, a Flex Consumption (FC1) Linux
// plan and the Python 3.11 function app. Every connection is identity-based: no keys,
// no connection strings with secrets.

param location string
param tags object
param functionAppName string
param planName string
param identityName string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param serviceBusFullyQualifiedNamespace string
param domainEventsTopicName string
param sisSyncQueueName string
param authIssuer string
param authAudience string
param authJwksUri string
param smtpHost string
param smtpPort int
param smtpSender string
param smtpUsername string
// A Key Vault secret URI, not the secret: the app setting is a Key Vault reference
param smtpPasswordSecretUri string
@description('Translator endpoint (custom subdomain + /translator/text/v3.0); empty: translation off.')
param translatorEndpoint string = ''
param translatorRegion string = ''

@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225: Zone redundancy on Flex Consumption exists only in some regions and the region is chosen per azd environment; turn on zoneRedundant per environment where the region supports it.
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_222: The HTTP API is public by design (staff tools and integrations call it over the internet); callers must present an Entra ID bearer token that the app validates.
  // checkov:skip=CKV_AZURE_17: Callers authenticate with Entra ID bearer tokens that the app validates; requiring client certificates would also block the Event Grid webhook that feeds the blob trigger.
  // checkov:skip=CKV_AZURE_212: siteConfig.numberOfWorkers does not apply to Flex Consumption; instances are scaled per function by the platform (functionAppConfig.scaleAndConcurrency).
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    // Key Vault references (SMTP_PASSWORD) are resolved with the user-assigned identity
    keyVaultReferenceIdentity: identity.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
      healthCheckPath: '/api/health'
      // Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
      // WEBSITE_RUN_FROM_PACKAGE, WEBSITE_TIME_ZONE and TZ: the runtime comes from
      // functionAppConfig and timers run in UTC. No keys, no secret connection strings.
      appSettings: [
        // Host storage; also the connection of the queue and blob triggers.
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identity.properties.clientId
        }
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: storage.properties.primaryEndpoints.table
        }
        // Service Bus triggers and outputs (connection: ServiceBusConnection).
        {
          name: 'ServiceBusConnection__fullyQualifiedNamespace'
          value: serviceBusFullyQualifiedNamespace
        }
        {
          name: 'ServiceBusConnection__credential'
          value: 'managedidentity'
        }
        {
          name: 'ServiceBusConnection__clientId'
          value: identity.properties.clientId
        }
        // Telemetry, sent with the identity (local auth is disabled on Application Insights).
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
        }
        // Application settings (settings.py).
        {
          name: 'APP_ENVIRONMENT'
          value: 'production'
        }
        {
          name: 'NIGHTLY_SCHEDULE'
          value: '0 0 2 * * *'
        }
        {
          name: 'OUTBOX_RELAY_SCHEDULE'
          value: '0 */5 * * * *'
        }
        {
          name: 'PRINT_BATCH_SCHEDULE'
          value: '0 5 * * * *'
        }
        {
          name: 'WONDE_SYNC_SCHEDULE'
          value: '0 0 1 * * *'
        }
        {
          name: 'WONDE_INTRADAY_SCHEDULE'
          value: '0 30 10,14 * * 1-5'
        }
        {
          name: 'DOMAIN_EVENTS_TOPIC'
          value: domainEventsTopicName
        }
        {
          name: 'SIS_SYNC_QUEUE'
          value: sisSyncQueueName
        }
        {
          name: 'AUTH_ISSUER'
          value: authIssuer
        }
        {
          name: 'AUTH_AUDIENCE'
          value: authAudience
        }
        {
          name: 'AUTH_JWKS_URI'
          value: authJwksUri
        }
        // Letter e-mail through Azure Communication Services' SMTP endpoint (STARTTLS on 587).
        {
          name: 'SMTP_HOST'
          value: smtpHost
        }
        {
          name: 'SMTP_PORT'
          value: string(smtpPort)
        }
        {
          name: 'SMTP_USE_TLS'
          value: 'true'
        }
        {
          name: 'SMTP_SENDER'
          value: smtpSender
        }
        {
          name: 'SMTP_USERNAME'
          value: smtpUsername
        }
        {
          name: 'SMTP_PASSWORD'
          value: '@Microsoft.KeyVault(SecretUri=${smtpPasswordSecretUri})'
        }
        // Machine translation of template drafts with the identity (no TRANSLATOR_KEY: the
        // account has local auth disabled); adapters/translator.py takes the client id
        // from AzureWebJobsStorage__clientId.
        {
          name: 'TRANSLATOR_ENDPOINT'
          value: translatorEndpoint
        }
        {
          name: 'TRANSLATOR_REGION'
          value: translatorRegion
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// No FTP and no basic-auth (publishing profile) deployments: azd deploys with an Entra ID token.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

output functionAppName string = functionApp.name
output defaultUri string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
