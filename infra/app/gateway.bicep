// API Management in front of the function app's HTTP API. Its rate-limit-by-key policy
// (gateway-policy.xml) counts each caller's requests across every instance of the app, which
// scales out to many instances; the app's own per-instance limiter stays as the last line
// (docs/api.md, "Limits"). Basic v2: the smallest tier with rate-limit-by-key (the Consumption
// tier has no by-key limits). Callers authenticate with the same Entra ID bearer tokens, which
// the app validates, so the API needs no subscription key.

param location string
param tags object
param gatewayName string

@description('Publisher e-mail API Management requires (service notifications go to it).')
param publisherEmail string

@description('Publisher name shown in the developer portal.')
param publisherName string

@description('The function app\'s base URL (https://<app>.azurewebsites.net); the API forwards to its /api routes.')
param backendUri string

@minValue(1)
@description('Requests a minute per caller (the token\'s tenant and object id), for all instances together.')
param rateLimitPerMinute int = 600

@minValue(1)
@description('Requests a minute per client address: a flood guard for requests with no valid token.')
param clientLimitPerMinute int = 3000

var operations = [
  'GET'
  'POST'
  'PUT'
  'PATCH'
  'DELETE'
]

resource gateway 'Microsoft.ApiManagement/service@2024-05-01' = {
  // checkov:skip=CKV_AZURE_174: The gateway is the API's public front door by design (staff tools and SIS integrations call it over the internet); every request still needs an Entra ID bearer token that the app validates.
  // checkov:skip=CKV_AZURE_107: This baseline has no virtual network (the Flex Consumption app has no VNet integration and storage has no private endpoints); a VNet-injected gateway would need the Premium or Standard v2 tier and a VNet the rest of the app does not use.
  name: gatewayName
  location: location
  tags: tags
  sku: {
    name: 'BasicV2'
    capacity: 1
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
    publicNetworkAccess: 'Enabled'
    // TLS 1.2 only, to callers and to the backend
    customProperties: {
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': 'False'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11': 'False'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30': 'False'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10': 'False'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11': 'False'
      'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30': 'False'
    }
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: gateway
  name: 'attendance'
  properties: {
    displayName: 'Attendance Intervention Orchestrator API'
    path: 'api'
    protocols: [
      'https'
    ]
    serviceUrl: '${backendUri}/api'
    subscriptionRequired: false
    apiType: 'http'
  }
}

// Every path and method goes through to the app, which routes, authenticates and validates.
resource operation 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' = [for method in operations: {
  parent: api
  name: toLower(method)
  properties: {
    displayName: method
    method: method
    urlTemplate: '/*'
  }
}]

resource policy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: replace(replace(loadTextContent('gateway-policy.xml'), '{rateLimitPerMinute}', string(rateLimitPerMinute)), '{clientLimitPerMinute}', string(clientLimitPerMinute))
  }
}

output gatewayUri string = gateway.properties.gatewayUrl
