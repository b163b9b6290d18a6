// Azure AI Translator (Text Translation) for machine-translated drafts of letter templates
// (adapters/translator.py). Entra ID only: local (key) auth is disabled, so the app calls it
// with its managed identity, which needs a custom subdomain. Deployed only when main.bicep's
// deployTranslator is true; the role for the app's identity is granted in rbac.bicep.

param location string
param tags object
param accountName string

@allowed([
  'F0'
  'S1'
])
@description('F0: free (one per subscription, 2M characters a month); S1: pay as you go.')
param skuName string = 'S1'

resource translator 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  // checkov:skip=CKV_AZURE_134: Public network access matches the rest of the app (no VNet integration, no private endpoints in this baseline); local auth is disabled, so every call needs an Entra ID token and the Cognitive Services User role.
  // checkov:skip=CKV_AZURE_238: The account calls no other resource (no customer-managed key, no storage), so a managed identity on it would hold no role and do nothing.
  name: accountName
  location: location
  tags: tags
  kind: 'TextTranslation'
  sku: {
    name: skuName
  }
  properties: {
    // Required for Entra ID auth: tokens are accepted on the custom endpoint only.
    customSubDomainName: accountName
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = translator.name
// https://<accountName>.cognitiveservices.azure.com/ (trailing slash included)
output endpoint string = translator.properties.endpoint
