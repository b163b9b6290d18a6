// Service Bus: integration events with the rest of the platform.
// Standard tier (topics need Standard or Premium); SAS keys are disabled, so every
// client authenticates with Entra ID (the app's managed identity).

param location string
param tags object
param namespaceName string

// Outbound domain events (relayed from the outbox table) and their subscriptions.
var domainEventsTopicName = 'domain-events'
var domainEventsSubscriptionNames = [
  'all-events'
]
// Inbound integration queues.
var queueNames = [
  'sis-sync-completed'
]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource domainEventsTopic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: serviceBus
  name: domainEventsTopicName
  properties: {
    defaultMessageTimeToLive: 'P14D'
    // The outbox relay may publish an event twice; the event id is the message id.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
  }
}

resource domainEventsSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [for subscriptionName in domainEventsSubscriptionNames: {
  parent: domainEventsTopic
  name: subscriptionName
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
  }
}]

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for queueName in queueNames: {
  parent: serviceBus
  name: queueName
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
  }
}]

output namespaceName string = serviceBus.name
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/; clients want the bare host name.
output fullyQualifiedNamespace string = replace(replace(serviceBus.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')
output domainEventsTopicName string = domainEventsTopic.name
output sisSyncQueueName string = queueNames[0]
