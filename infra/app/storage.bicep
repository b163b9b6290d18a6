// Storage account for the Functions host (AzureWebJobsStorage), the Flex deployment
// package and the application data: blobs (artifacts), queues (work fan-out) and
// tables (state). Shared keys are disabled: every client uses Entra ID.
// The Event Grid system topic feeds the blob trigger (its subscription is created by
// scripts/post-up.sh after deploy, when the blobs_extension key exists).

param location string
param tags object
param storageAccountName string
param systemTopicName string
param deploymentContainerName string
param logAnalyticsWorkspaceId string

// Add new names here; every container is private.
var blobContainerNames = [
  'sis-raw' // raw SIS payloads, kept for traceability
  'letters' // rendered guardian letters (PDF + SHA-256); new blobs trigger delivery
  'reports'
  'print-batches'
]
// Each work queue has a -poison twin (the host moves a message there after maxDequeueCount).
var queueNames = [
  'normalize-school'
  'normalize-school-poison'
  'letter-jobs'
  'letter-jobs-poison'
  'evaluate-school'
  'evaluate-school-poison'
  'outbox-dispatch'
  'outbox-dispatch-poison'
  'print-batch-jobs'
  'print-batch-jobs-poison'
  'meeting-notices'
  'meeting-notices-poison'
  'sis-sync'
  'sis-sync-poison'
]
// Table names: letters and digits only, starting with a letter.
// Keep in step with bootstrap.TABLES (tests/infra/test_bicep.py checks it).
var tableNames = [
  'audit'
  'jobruns'
  'sisconnections'
  'sisstate'
  'localevents'
  'schools'
  'calendars'
  'codemappings'
  'students'
  'guardians'
  'studentguardians'
  'marks'
  'markhistory'
  'markchanges'
  'summaries'
  'latestsummaries'
  'interventions'
  'rulesets'
  'letterartifacts'
  'printbatches'
  'lettertemplates'
  'meetings'
  'meetingnotices'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35: The Flex Consumption app runs without VNet integration, so it has no fixed egress address to allow; the account relies on Entra ID only access (shared keys disabled) instead of a network deny rule.
  // checkov:skip=CKV_AZURE_59: Public network access is needed because the app has no VNet integration and this baseline has no private endpoints; every request still needs an Entra ID token and a data-plane role.
  // checkov:skip=CKV_AZURE_43: The name is computed in main.bicep as 'st' + toLower(uniqueString(...)) (15 lowercase letters and digits), which Checkov cannot evaluate; tests/infra/test_bicep.py asserts that expression.
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_GRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for containerName in blobContainerNames: {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for tableName in tableNames: {
  parent: tableService
  name: tableName
}]

// Who read, wrote or deleted which blob (letters hold personal data).
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'blob-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'StorageRead'
        enabled: true
      }
      {
        category: 'StorageWrite'
        enabled: true
      }
      {
        category: 'StorageDelete'
        enabled: true
      }
    ]
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output systemTopicName string = systemTopic.name
