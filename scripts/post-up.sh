#!/bin/sh
# azd postdeploy hook: subscribe the blob-triggered delivery function to BlobCreated
# events from the storage account's Event Grid system topic.
#
# Why here and not in Bicep: the webhook URL needs the function app's `blobs_extension`
# system key, which the host creates only once code with a blob trigger is deployed.
# Flex Consumption supports only the Event Grid source for blob triggers.
#
# azd exports the Bicep outputs (AZURE_FUNCTION_NAME, RESOURCE_GROUP, ...) as
# environment variables. Needs the Azure CLI logged in to the same tenant (`az login`).
# Safe to re-run: `create` updates an existing subscription. POSIX sh on purpose.
set -eu

: "${AZURE_FUNCTION_NAME:?run through azd (azd up / azd deploy) or export the Bicep outputs}"
: "${RESOURCE_GROUP:?}"
: "${AZURE_EVENTGRID_SYSTEM_TOPIC_NAME:?}"

# The blob trigger's function name and the container it watches.
DELIVERY_FUNCTION_NAME="${DELIVERY_FUNCTION_NAME:-deliver_letter}"
DELIVERY_CONTAINER="${DELIVERY_CONTAINER:-letters}"
default_subscription_name="$(printf '%s' "$DELIVERY_FUNCTION_NAME" | tr '_' '-')-blob-created"
SUBSCRIPTION_NAME="${DELIVERY_EVENT_SUBSCRIPTION_NAME:-$default_subscription_name}"

subscription_opt=""
if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
  subscription_opt="--subscription=${AZURE_SUBSCRIPTION_ID}"
fi

echo "Waiting for the blobs_extension system key of ${AZURE_FUNCTION_NAME}..."
blobs_key=""
attempt=1
while [ "$attempt" -le 30 ]; do
  blobs_key="$(az functionapp keys list ${subscription_opt:+"$subscription_opt"} \
    --name "$AZURE_FUNCTION_NAME" --resource-group "$RESOURCE_GROUP" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)"
  [ -n "$blobs_key" ] && break
  echo "  not there yet (attempt ${attempt}/30): the host creates it when it first starts"
  attempt=$((attempt + 1))
  sleep 10
done
if [ -z "$blobs_key" ]; then
  echo "error: no blobs_extension key on ${AZURE_FUNCTION_NAME}; is the blob trigger deployed?" >&2
  exit 1
fi

# SERVICE_API_URI is the app's default host name (a Bicep output).
app_uri="${SERVICE_API_URI:-https://${AZURE_FUNCTION_NAME}.azurewebsites.net}"
endpoint="${app_uri%/}/runtime/webhooks/blobs?functionName=Host.Functions.${DELIVERY_FUNCTION_NAME}&code=${blobs_key}"

echo "Creating Event Grid subscription ${SUBSCRIPTION_NAME} (BlobCreated under ${DELIVERY_CONTAINER}/)..."
az eventgrid system-topic event-subscription create ${subscription_opt:+"$subscription_opt"} \
  --name "$SUBSCRIPTION_NAME" \
  --resource-group "$RESOURCE_GROUP" \
  --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${DELIVERY_CONTAINER}/" \
  --output none

echo "Event Grid subscription ${SUBSCRIPTION_NAME} is in place."
