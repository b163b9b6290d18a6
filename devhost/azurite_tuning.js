// Loaded with `node --require` before Azurite (devhost/azurite.py): two costs of Azurite's table
// store that grow with the data and made most of `make run`'s time (docs/benchmarks.md, "First
// run"). Neither changes what Azurite answers.
//
// 1. Saving. Azurite's LokiJS stores write the whole database as one JSON file on every save,
//    every 5 s while anything changed; with the demo district's tables (hundreds of MB of JSON)
//    a save blocks Azurite's one thread for seconds (15 s of a first `make run` at one a minute).
//    Saves are spaced out to one every five minutes.
//    Azurite still saves on SIGTERM, before it exits, which is how devhost stops it; only a crash
//    loses the writes since the last save (a `make run` then replays them: each step is idempotent).
// 2. Key queries. Azurite evaluates a query's filter on every entity of the table, whatever the
//    partition, so a query of one day's marks read all the marks of every school, and a student's
//    rows over a range of month partitions read every summary of the district. When the filter is
//    a conjunction (no `or` at its top level) with conditions on PartitionKey or RowKey among its
//    conjuncts, the entities are first narrowed by those: an exact partition with the table's
//    PartitionKey index, or a key range with that key's index where that is exact (indexRange),
//    the other conditions with a plain string test; the filter then runs on those as before.
"use strict";
const path = require("path");

const SAVE_EVERY_MS = 300000;
const azurite = path.dirname(require.resolve("azurite/package.json", { paths: [process.cwd()] }));

const Loki = require(require.resolve("lokijs", { paths: [azurite] }));
const configure = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (options && options.autosave) {
    options = Object.assign({}, options, { autosaveInterval: SAVE_EVERY_MS });
  }
  return configure.call(this, options, initialConfig);
};

// The key conditions a filter is the conjunction of, at its top level: `PartitionKey` or `RowKey`
// compared (eq, ge, gt, le, lt) with a string, as the SDK writes them; undefined when the filter
// has an `or` at its top level or is not written the way this reads it (then it runs unchanged).
// Other conjuncts are left to the filter, which still runs on every entity the keys let through.
const KEY_CONDITION = /^(PartitionKey|RowKey) (eq|ge|gt|le|lt) '((?:[^']|'')*)'$/;

function conjuncts(filter) {
  const parts = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < filter.length; i += 1) {
    const c = filter[i];
    if (c === "'") quoted = !quoted; // '' inside a string closes and reopens it: same state after
    else if (!quoted && c === "(") depth += 1;
    else if (!quoted && c === ")") depth -= 1;
    else if (!quoted && depth === 0 && filter.startsWith(" or ", i)) return undefined;
    else if (!quoted && depth === 0 && filter.startsWith(" and ", i)) {
      parts.push(filter.slice(start, i));
      start = i + 5;
    }
  }
  if (depth !== 0 || quoted) return undefined;
  parts.push(filter.slice(start));
  return parts;
}

function keyConditions(filter) {
  const parts = conjuncts((filter || "").trim());
  if (!parts) return undefined;
  const found = [];
  for (const part of parts) {
    const match = KEY_CONDITION.exec(part.trim());
    if (match) found.push({ key: match[1], op: match[2], value: match[3].replace(/''/g, "'") });
  }
  return found.length ? found : undefined;
}

// The partition a filter confines every match to (its `PartitionKey eq` condition), if any.
function partitionOf(filter) {
  const found = (keyConditions(filter) || []).find((c) => c.key === "PartitionKey" && c.op === "eq");
  return found && found.value;
}

// Azurite compares keys as JavaScript strings (its ValueNode.compare): the same test here, so
// an entity let through is one the filter's own key conditions would let through.
const TESTS = {
  eq: (a, b) => a === b, ge: (a, b) => a >= b, gt: (a, b) => a > b,
  le: (a, b) => a <= b, lt: (a, b) => a < b,
};

// Loki's index orders strings that read as numbers (Number(s) is not NaN) apart from the others,
// so an index range is what a string comparison gives only when no such key can fall inside it:
// both bounds begin with the same letter (not "I", for "Infinity"), so every key between them does.
const SAFE_FIRST = /^[A-HJ-Za-z]/;

function indexRange(conditions, key) {
  const lower = conditions.find((c) => c.key === key && (c.op === "ge" || c.op === "gt"));
  const upper = conditions.find((c) => c.key === key && (c.op === "le" || c.op === "lt"));
  if (!lower || !upper || !SAFE_FIRST.test(lower.value) || lower.value[0] !== upper.value[0]) return undefined;
  return [lower.value, upper.value];
}

function narrowed(resultset, conditions) {
  // One index takes the first cut, the narrowest likely: a RowKey range (a kind of row, or one
  // student's rows, across partitions), else the exact partition (Loki's $eq is ===), else a
  // range of partitions. $between holds a range's ends; every condition but an exact partition
  // taken by the index is then tested on what the index let through.
  const rows = indexRange(conditions, "RowKey");
  const partition = rows ? undefined : conditions.find((c) => c.key === "PartitionKey" && c.op === "eq");
  const partitions = rows || partition ? undefined : indexRange(conditions, "PartitionKey");
  let start = resultset;
  if (rows) start = resultset.find({ RowKey: { $between: rows } });
  else if (partition) start = resultset.find({ PartitionKey: partition.value });
  else if (partitions) start = resultset.find({ PartitionKey: { $between: partitions } });
  const rest = conditions.filter((c) => c !== partition);
  if (!rest.length) return start;
  return start.where((e) => rest.every((c) => typeof e[c.key] === "string" && TESTS[c.op](e[c.key], c.value)));
}

const Store = require(path.join(azurite, "dist", "src", "table", "persistence",
  "LokiTableMetadataStore.js")).default;
const query = Store.prototype.queryTableEntities;
Store.prototype.queryTableEntities = function (context, account, table, queryOptions) {
  const conditions = keyConditions(queryOptions && queryOptions.filter);
  if (conditions === undefined) return query.apply(this, arguments);
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
    return narrowed(chain.apply(this, arguments), conditions);
  };
  try {
    return query.apply(this, arguments);
  } finally {
    delete entities.chain;
  }
};

module.exports = { partitionOf, keyConditions };
