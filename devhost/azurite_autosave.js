// Loaded with `node --require` before Azurite (devhost/azurite.py): how often Azurite saves its
// databases to --location. Azurite's LokiJS stores write the whole database as one JSON file on
// every save, every 5 s while anything changed; with the demo district's tables (hundreds of MB of
// JSON) a save blocks Azurite's one thread for seconds, so it spent most of `make run` saving.
// This spaces the saves out to once a minute. Azurite still saves on SIGTERM, before it exits,
// which is how devhost stops it; only a crash loses the writes of the last minute.
"use strict";
const path = require("path");

const INTERVAL_MS = 60000;
// Azurite's own copy of LokiJS, so its stores get the patched prototype
const azurite = path.dirname(require.resolve("azurite/package.json", { paths: [process.cwd()] }));
const Loki = require(require.resolve("lokijs", { paths: [azurite] }));
const configure = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (options && options.autosave) {
    options = Object.assign({}, options, { autosaveInterval: INTERVAL_MS });
  }
  return configure.call(this, options, initialConfig);
};
