// Loaded with `node --require` before Azurite (devhost/azurite.py): two costs of Azurite's table
// store that grow with the data and made most of `make run`'s time (docs/benchmarks.md, "First
// run"). Neither changes what Azurite answers.
//
// 1. Saving. Azurite's LokiJS stores write the whole database as one JSON file on every save,
//    every 5 s while anything changed; with the demo district's tables (hundreds of MB of JSON)
//    a save blocks Azurite's one thread for seconds. Saves are spaced out to once a minute.
//    Azurite still saves on SIGTERM, before it exits, which is how devhost stops it; only a crash
//    loses the writes of the last minute.
// 2. Partition queries. Azurite evaluates a query's filter on every entity of the table, whatever
//    the partition, so a query of one day's marks read all the marks of every school. When the
//    filter begins with `PartitionKey eq '…'` as a conjunct of the whole filter (an `and` with no
//    `or` beside it at the top level), the entities are first narrowed to that partition with the
//    table's PartitionKey index; the filter then runs on those as before.
"use strict";
const path = require("path");

const SAVE_EVERY_MS = 60000;
const azurite = path.dirname(require.resolve("azurite/package.json", { paths: [process.cwd()] }));

const Loki = require(require.resolve("lokijs", { paths: [azurite] }));
const configure = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (options && options.autosave) {
    options = Object.assign({}, options, { autosaveInterval: SAVE_EVERY_MS });
  }
  return configure.call(this, options, initialConfig);
};

// The partition a filter confines every match to, or undefined when it does not (or when it is
// not written the way this reads it: then the query runs unchanged).
function partitionOf(filter) {
  const head = /^PartitionKey eq '((?:[^']|'')*)'/.exec(filter || "");
  if (!head) return undefined;
  const rest = filter.slice(head[0].length);
  if (rest.trim() !== "" && !/^ and /.test(rest)) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < rest.length; i += 1) {
    const c = rest[i];
    if (c === "'") quoted = !quoted; // '' inside a string closes and reopens it: same state after
    else if (!quoted && c === "(") depth += 1;
    else if (!quoted && c === ")") depth -= 1;
    else if (!quoted && depth === 0 && rest.startsWith(" or ", i)) return undefined;
  }
  return depth === 0 && !quoted ? head[1].replace(/''/g, "'") : undefined;
}

const Store = require(path.join(azurite, "dist", "src", "table", "persistence",
  "LokiTableMetadataStore.js")).default;
const query = Store.prototype.queryTableEntities;
Store.prototype.queryTableEntities = function (context, account, table, queryOptions) {
  const partition = partitionOf(queryOptions && queryOptions.filter);
  if (partition === undefined) return query.apply(this, arguments);
  let entities;
  try {
    entities = this.getEntityCollection(account, table, context);
  } catch (notFound) {
    return query.apply(this, arguments); // which answers as Azurite does
  }
  const chain = entities.chain;
  // The query takes its chain synchronously, before its first await: the narrowing applies to
  // this query only, and is gone before any other request runs.
  entities.chain = function () {
    return chain.apply(this, arguments).find({ PartitionKey: partition });
  };
  try {
    return query.apply(this, arguments);
  } finally {
    delete entities.chain;
  }
};

module.exports = { partitionOf };
