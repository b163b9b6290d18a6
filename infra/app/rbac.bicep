// Grants one principal a set of built-in roles on the storage account, the Service Bus
// namespace, Application Insights and (when deployed) the Translator account. main.bicep uses it twice: for the app's managed
// identity and, when AZURE_PRINCIPAL_ID is set, for the developer running azd.
// Role ids are listed (with their names) in main.bicep.

@description('Object id of the principal that receives the roles.')
param principalId string

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string

param storageAccountName string
param serviceBusNamespaceName string
param applicationInsightsName string

@description('Role definition ids to grant on the storage account.')
param storageRoleIds array = []

@description('Role definition ids to grant on the Service Bus namespace.')
param serviceBusRoleIds array = []

@description('Role definition ids to grant on Application Insights.')
param monitoringRoleIds array = []

@description('Translator account name; only read when translatorRoleIds is not empty (no translator: both empty).')
param translatorAccountName string = ''

@description('Role definition ids to grant on the Translator account.')
param translatorRoleIds array = []

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Only resolved inside the translatorRoles loop, which is empty when no translator is deployed.
resource translator 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: translatorAccountName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource serviceBusRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in serviceBusRoleIds: {
  name: guid(serviceBus.id, principalId, roleId)
  scope: serviceBus
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource monitoringRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in monitoringRoleIds: {
  name: guid(applicationInsights.id, principalId, roleId)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource translatorRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in translatorRoleIds: {
  name: guid(translator.id, principalId, roleId)
  scope: translator
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]
