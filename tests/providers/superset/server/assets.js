// SPDX-License-Identifier: MIT
// The asset store of the local Superset API (server.js): databases, datasets, charts and
// dashboards with Superset's ids, uuids and audit fields, imported the way Superset's
// ImportAssetsCommand does (superset/commands/importers/v1/assets.py and utils.py) and
// exported the way its exporters do (superset/commands/{database,dataset,chart,dashboard}/
// export.py). An import is one transaction: it works on a copy and keeps it only when
// every file went in.
'use strict';
const YAML = require('yaml');

const VERSION = '1.0.0';
const PASSWORD_MASK = 'XXXXXXXXXX';
const KINDS = ['databases', 'datasets', 'charts', 'dashboards'];
// What Superset calls each kind's model in its messages ("<Model> already exists ...").
const MODEL = { databases: 'Database', datasets: 'SqlaTable', charts: 'Slice', dashboards: 'Dashboard' };
const REQUIRED = {
  databases: ['database_name', 'sqlalchemy_uri', 'uuid', 'version'],
  datasets: ['table_name', 'uuid', 'database_uuid', 'version'],
  charts: ['slice_name', 'viz_type', 'uuid', 'dataset_uuid', 'version'],
  dashboards: ['dashboard_title', 'uuid', 'version'],
};

class CommandError extends Error {
  // status, message, extra (per-file messages), level; the server turns it into
  // {"errors":[{"message","error_type":"GENERIC_COMMAND_ERROR","level","extra"}]}.
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

function emptyStore() {
  return { next: { databases: 1, datasets: 1, charts: 1, dashboards: 1 }, databases: [], datasets: [], charts: [], dashboards: [] };
}

const clone = (v) => structuredClone(v);

// Superset's werkzeug secure_filename as its exporters use it for file names.
function secureFilename(name) {
  const ascii = String(name).normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  return ascii.split(/\s+/).join('_').replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[._]+|[._]+$/g, '');
}

function fileStem(name, id, skipId) {
  const slug = secureFilename(name);
  if (!slug) return String(id);
  return skipId ? slug : `${slug}_${id}`;
}

// The password inside a SQLAlchemy URI (scheme://user:password@host/...), or null.
function uriPassword(uri) {
  const m = /^[^:]+:\/\/[^:@/]*:([^@/]*)@/.exec(uri || '');
  return m ? decodeURIComponent(m[1]) : null;
}
function maskUri(uri) {
  return String(uri).replace(/^([^:]+:\/\/[^:@/]*:)([^@/]*)(@)/, `$1${PASSWORD_MASK}$3`);
}

function removeRoot(name) {
  const parts = name.split('/');
  return parts.slice(1).join('/');
}

function isConfigFile(name) {
  const base = name.split('/').pop();
  if (base.startsWith('.') || base.startsWith('_')) return false;
  return /\.(yaml|yml)$/i.test(base);
}

// ZIP entries -> {"<path without the root folder>": text} of the YAML files, as
// get_contents_from_bundle does.
function contentsFromEntries(entries) {
  const contents = {};
  for (const e of entries) {
    if (e.name.endsWith('/') || !isConfigFile(e.name)) continue;
    contents[removeRoot(e.name)] = e.data.toString('utf8');
  }
  return contents;
}

function kindOf(file) {
  const prefix = file.split('/')[0];
  return KINDS.includes(prefix) ? prefix : null;
}

// Validates like ImportAssetsCommand.validate; throws CommandError. Returns the configs.
function validate(store, contents, passwords, overwrite) {
  if (!('metadata.yaml' in contents)) throw new CommandError(422, 'Missing metadata.yaml');
  const extra = {};
  let metadata = null;
  try {
    metadata = YAML.parse(contents['metadata.yaml']);
  } catch (e) {
    extra['metadata.yaml'] = 'Not a valid YAML file';
  }
  if (metadata !== null && typeof metadata === 'object') {
    if (metadata.version === undefined) {
      extra['metadata.yaml'] = { version: ['Missing data for required field.'] };
    } else if (String(metadata.version) !== VERSION) {
      // IncorrectVersionError(the version validator's message), raised on its own
      throw new CommandError(422, `Must be equal to ${VERSION}.`);
    }
    if ('type' in metadata && metadata.type !== 'assets') {
      extra['metadata.yaml'] = { type: ['Must be equal to assets.'] };
    }
  }
  const configs = {};
  for (const [file, text] of Object.entries(contents)) {
    const kind = kindOf(file);
    if (!kind || !text) continue;
    let config;
    try {
      config = YAML.parse(text);
    } catch (e) {
      extra[file] = 'Not a valid YAML file';
      continue;
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      extra[file] = { _schema: ['Invalid input type.'] };
      continue;
    }
    const errors = {};
    for (const field of REQUIRED[kind]) {
      if (config[field] === undefined || config[field] === null) errors[field] = ['Missing data for required field.'];
    }
    // A few of the v1 import schemas' field types (ImportV1ChartSchema, ImportV1DatasetSchema:
    // cache_timeout = fields.Integer(allow_none=True), params = fields.Dict(allow_none=True)),
    // with marshmallow's messages.
    if ((kind === 'charts' || kind === 'datasets') && config.cache_timeout != null && !Number.isInteger(config.cache_timeout)) {
      errors.cache_timeout = ['Not a valid integer.'];
    }
    if ((kind === 'charts' || kind === 'datasets') && config.params != null && (typeof config.params !== 'object' || Array.isArray(config.params))) {
      errors.params = ['Not a valid mapping type.'];
    }
    if (kind === 'databases') {
      if (file in passwords) config.password = passwords[file];
      else if (!config.password) {
        const existing = store.databases.find((d) => d.uuid === String(config.uuid));
        if (existing && existing.password) config.password = existing.password;
      }
      if (uriPassword(config.sqlalchemy_uri) === PASSWORD_MASK && !config.password) {
        errors._schema = ['Must provide a password for the database'];
      }
    }
    if (Object.keys(errors).length) { extra[file] = errors; continue; }
    configs[file] = config;
  }
  if (!overwrite) {
    for (const [file, config] of Object.entries(configs)) {
      const kind = kindOf(file);
      if (store[kind].some((a) => a.uuid === String(config.uuid))) {
        extra[file] = `${MODEL[kind]} already exists and \`overwrite=true\` was not passed`;
      }
    }
  }
  if (Object.keys(extra).length) throw new CommandError(422, 'Error importing assets', extra);
  return configs;
}

function upsert(store, kind, config, fields, user, now, overwrite) {
  const uuid = String(config.uuid);
  let asset = store[kind].find((a) => a.uuid === uuid);
  if (asset && !overwrite) return asset;
  const body = clone(config);
  delete body.password;
  for (const k of ['is_managed_externally', 'external_url']) delete body[k];
  if (!asset) {
    asset = { id: store.next[kind]++, uuid, created_on: now, created_by: user.id };
    store[kind].push(asset);
  }
  Object.assign(asset, fields, {
    config: body,
    changed_on: now,
    changed_by: user.id,
    is_managed_externally: config.is_managed_externally === true,
    external_url: config.external_url ?? null,
  });
  return asset;
}

// A dashboard's chart ids moved to this server's, as update_id_refs does
// (superset/commands/dashboard/importers/v1/utils.py): old ids come from the position's
// meta.chartId by uuid; metadata's references to charts the import did not bring are
// dropped (timed_refresh_immune_slices and expanded_slices keep Superset's KeyError
// out by dropping too).
function updateIdRefs(config, chartIds) {
  const idMap = {};
  for (const node of Object.values(config.position || {})) {
    if (node && node.type === 'CHART' && node.meta && node.meta.uuid !== undefined && node.meta.uuid in chartIds) {
      if (node.meta.chartId !== undefined) idMap[node.meta.chartId] = chartIds[node.meta.uuid];
      node.meta.chartId = chartIds[node.meta.uuid];
    }
  }
  const uuidToId = {};
  for (const node of Object.values(config.position || {})) if (node && node.type === 'CHART' && node.meta && node.meta.uuid in chartIds) uuidToId[node.meta.uuid] = chartIds[node.meta.uuid];
  const remapList = (list) => (Array.isArray(list) ? list.map((x) => (typeof x === 'number' ? idMap[x] : uuidToId[x])).filter((x) => x !== undefined) : list);
  const remapKeys = (obj) => Object.fromEntries(Object.entries(obj || {}).filter(([k]) => idMap[Number(k)] !== undefined).map(([k, v]) => [String(idMap[Number(k)]), v]));
  const m = config.metadata;
  if (!m || typeof m !== 'object') return config;
  if ('timed_refresh_immune_slices' in m) m.timed_refresh_immune_slices = remapList(m.timed_refresh_immune_slices);
  if ('filter_scopes' in m) {
    m.filter_scopes = remapKeys(m.filter_scopes);
    for (const columns of Object.values(m.filter_scopes)) for (const a of Object.values(columns || {})) if (a && Array.isArray(a.immune)) a.immune = remapList(a.immune);
  }
  if ('expanded_slices' in m) m.expanded_slices = remapKeys(m.expanded_slices);
  if (typeof m.default_filters === 'string') {
    try { m.default_filters = JSON.stringify(remapKeys(JSON.parse(m.default_filters))); } catch (e) { /* kept as is */ }
  }
  const scope = (c) => {
    if (!c || typeof c !== 'object') return;
    if (c.scope && Array.isArray(c.scope.excluded)) c.scope.excluded = remapList(c.scope.excluded);
    if (Array.isArray(c.chartsInScope)) c.chartsInScope = remapList(c.chartsInScope);
  };
  for (const f of m.native_filter_configuration || []) scope(f);
  scope(m.global_chart_configuration);
  if (m.chart_configuration && typeof m.chart_configuration === 'object') {
    const out = {};
    for (const [k, c] of Object.entries(m.chart_configuration)) {
      const id = idMap[Number(k)] ?? uuidToId[k];
      if (id === undefined) { out[k] = c; continue; }
      if (c && typeof c === 'object') { c.id = id; scope(c.crossFilters); }
      out[String(id)] = c;
    }
    m.chart_configuration = out;
  }
  return config;
}

// Runs an import into a copy of `store` and returns the copy; throws CommandError (the
// store is untouched then). `sparse`: datasets and databases may come from the server.
function importContents(store, contents, { passwords = {}, overwrite = true, sparse = false, user, now }) {
  const configs = validate(store, contents, passwords, overwrite);
  const next = clone(store);
  const byKind = (kind) => Object.entries(configs).filter(([f]) => kindOf(f) === kind).map(([, c]) => c);
  const databaseIds = {};
  const datasetIds = {};
  const chartIds = {};
  if (sparse) {
    for (const d of next.databases) databaseIds[d.uuid] = d.id;
    for (const d of next.datasets) datasetIds[d.uuid] = d.id;
    for (const c of next.charts) chartIds[c.uuid] = c.id;
  }
  const failed = () => new CommandError(500, 'Import failed for an unknown reason');
  for (const c of byKind('databases')) {
    const a = upsert(next, 'databases', c, { name: c.database_name, password: c.password ?? uriPassword(c.sqlalchemy_uri) }, user, now, overwrite);
    databaseIds[a.uuid] = a.id;
  }
  for (const c of byKind('datasets')) {
    const databaseId = databaseIds[String(c.database_uuid)];
    if (databaseId === undefined) throw failed();
    const a = upsert(next, 'datasets', c, { name: c.table_name, database_id: databaseId }, user, now, overwrite);
    datasetIds[a.uuid] = a.id;
  }
  for (const c of byKind('charts')) {
    const datasetId = datasetIds[String(c.dataset_uuid)];
    if (datasetId === undefined) throw failed();
    const body = clone(c);
    if (body.params && typeof body.params === 'object') body.params.datasource = `${datasetId}__table`;
    const a = upsert(next, 'charts', body, { name: c.slice_name, dataset_id: datasetId }, user, now, overwrite);
    chartIds[a.uuid] = a.id;
  }
  for (const c of byKind('dashboards')) {
    const body = updateIdRefs(clone(c), chartIds);
    const charts = [];
    for (const node of Object.values(body.position || {})) {
      if (node && node.type === 'CHART' && node.meta && node.meta.uuid in chartIds) charts.push(chartIds[node.meta.uuid]);
    }
    upsert(next, 'dashboards', body, { name: c.dashboard_title, chart_ids: charts }, user, now, overwrite);
  }
  return next;
}

// The exported YAML of one asset: its config with the server's references, the
// password masked in the URI and never written, `version` present.
function exportConfig(store, kind, asset) {
  const body = clone(asset.config);
  if (kind === 'databases') {
    if (asset.password) body.sqlalchemy_uri = maskUri(body.sqlalchemy_uri);
  } else if (kind === 'charts') {
    const dataset = store.datasets.find((d) => d.id === asset.dataset_id);
    if (dataset) body.dataset_uuid = dataset.uuid;
  } else if (kind === 'datasets') {
    const database = store.databases.find((d) => d.id === asset.database_id);
    if (database) body.database_uuid = database.uuid;
  }
  if (!('version' in body)) body.version = VERSION;
  return body;
}

function exportPath(store, kind, asset) {
  if (kind === 'databases') return `databases/${fileStem(asset.name, asset.id, true)}.yaml`;
  if (kind === 'datasets') {
    const database = store.databases.find((d) => d.id === asset.database_id);
    const dir = database ? fileStem(database.name, database.id, true) : 'unknown';
    return `datasets/${dir}/${fileStem(asset.name, asset.id, true)}.yaml`;
  }
  return `${kind}/${fileStem(asset.name, asset.id, false)}.yaml`;
}

// The files of an export of `selection` ({kind: [ids]}, null = everything) with what they
// reference (a dashboard brings its charts, a chart its dataset, a dataset its database).
function exportFiles(store, selection) {
  const pick = { databases: new Set(), datasets: new Set(), charts: new Set(), dashboards: new Set() };
  for (const kind of KINDS) {
    for (const a of store[kind]) if (!selection || (selection[kind] || []).includes(a.id)) pick[kind].add(a.id);
  }
  for (const id of pick.dashboards) for (const c of store.dashboards.find((d) => d.id === id).chart_ids || []) pick.charts.add(c);
  for (const id of pick.charts) { const c = store.charts.find((x) => x.id === id); if (c) pick.datasets.add(c.dataset_id); }
  for (const id of pick.datasets) { const d = store.datasets.find((x) => x.id === id); if (d) pick.databases.add(d.database_id); }
  const files = [];
  for (const kind of KINDS) {
    for (const a of store[kind]) {
      if (!pick[kind].has(a.id)) continue;
      files.push({ name: exportPath(store, kind, a), text: dumpYaml(exportConfig(store, kind, a)) });
    }
  }
  return files;
}

// yaml.safe_dump(sort_keys=False) as Superset writes it: block style, keys in order.
function dumpYaml(value) {
  return YAML.stringify(value, { lineWidth: 0, indentSeq: false, nullStr: 'null', version: '1.1' });
}

module.exports = {
  VERSION, PASSWORD_MASK, KINDS, MODEL, CommandError, emptyStore, contentsFromEntries,
  importContents, exportFiles, exportConfig, dumpYaml, maskUri, YAML,
};
