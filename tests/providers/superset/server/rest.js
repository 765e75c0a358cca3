// SPDX-License-Identifier: MIT
// Superset's API routes of the local server (server.js documents the answers): assets
// import and export, and per kind (database, dataset, chart, dashboard) list with rison
// `q`, get, delete and export.
'use strict';

const STORE = { database: 'databases', dataset: 'datasets', chart: 'charts', dashboard: 'dashboards' };
const EXPORT_TYPE = { database: 'Database', dataset: 'SqlaTable', chart: 'Slice', dashboard: 'Dashboard' };
const LIST_KEYS = ['page', 'page_size', 'filters', 'columns', 'order_column', 'order_direction', 'keys', 'select_columns'];

function stamp(now) {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');  // 20261207T064504
}
// Superset's naive UTC timestamps ("2026-12-07T06:45:04.123000").
const naive = (iso) => iso.replace('Z', '000');

function userRef(ctx, id) {
  const u = ctx.users.find((x) => x.id === id);
  return u ? { first_name: u.first_name, last_name: u.last_name, id: u.id } : null;
}

// One asset as Superset's list/show answers show it.
function describe(ctx, kind, a) {
  const c = a.config;
  const common = {
    id: a.id, uuid: a.uuid,
    changed_by: userRef(ctx, a.changed_by), changed_on: naive(a.changed_on),
    changed_on_utc: naive(a.changed_on) + '+0000', changed_on_delta_humanized: 'a few seconds ago',
    created_by: userRef(ctx, a.created_by), created_on: naive(a.created_on),
    is_managed_externally: a.is_managed_externally, external_url: a.external_url,
  };
  // AuditMixinNullable.changed_by_name: str(changed_by), FAB's User.__repr__ "<first> <last>"; "" when none.
  const named = { ...common, changed_by_name: common.changed_by ? `${common.changed_by.first_name} ${common.changed_by.last_name}` : '' };
  if (kind === 'database') {  // DatabaseRestApi's list has no changed_by_name
    return { ...common, database_name: a.name, backend: String(c.sqlalchemy_uri).split(/[:+]/)[0],
      expose_in_sqllab: c.expose_in_sqllab ?? true, allow_run_async: c.allow_run_async ?? false };
  }
  if (kind === 'dataset') {
    const db = ctx.store.databases.find((d) => d.id === a.database_id);
    return { ...named, table_name: a.name, schema: c.schema ?? null, sql: c.sql ?? null,
      kind: c.sql ? 'virtual' : 'physical', database: db ? { id: db.id, database_name: db.name } : null };
  }
  if (kind === 'chart') {
    return { ...named, slice_name: a.name, viz_type: c.viz_type, datasource_id: a.dataset_id, datasource_type: 'table',
      description: c.description ?? null, cache_timeout: c.cache_timeout ?? null, params: JSON.stringify(c.params ?? {}) };
  }
  return { ...named, dashboard_title: a.name, slug: c.slug ?? null, published: c.published ?? false,
    css: c.css ?? null, json_metadata: JSON.stringify(c.metadata ?? {}), position_json: JSON.stringify(c.position ?? {}) };
}

function parseQ(ctx, url, send, res) {
  const q = url.searchParams.get('q');
  if (q === null) return { value: {} };
  try {
    return { value: ctx.parseRison(q) };
  } catch (e) {
    return { error: send(res, 400, { message: 'Not a valid rison argument' }) };
  }
}

function list(ctx, res, url, kind, send) {
  const q = parseQ(ctx, url, send, res);
  if (q.error) return q.error;
  const args = q.value;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return send(res, 400, { message: 'Not a valid rison argument' });
  for (const key of Object.keys(args)) if (!LIST_KEYS.includes(key)) return send(res, 400, { message: { [key]: ['Unknown field.'] } });
  const page = args.page ?? 0;
  const size = args.page_size ?? 20;
  if (!Number.isInteger(page) || page < 0) return send(res, 400, { message: { page: ['Not a valid integer.'] } });
  if (!Number.isInteger(size) || size < -1) return send(res, 400, { message: { page_size: ['Not a valid integer.'] } });
  const rows = ctx.store[STORE[kind]].map((a) => describe(ctx, kind, a));
  const columns = Object.keys(rows[0] || describe(ctx, kind, { id: 0, uuid: '', config: {}, changed_on: new Date(0).toISOString(), created_on: new Date(0).toISOString() }));
  let selected = rows;
  for (const [n, f] of (args.filters || []).entries()) {
    if (!f || typeof f !== 'object' || !('col' in f) || !('opr' in f)) return send(res, 400, { message: { filters: { [n]: { col: ['Missing data for required field.'] } } } });
    if (!columns.includes(f.col)) return send(res, 400, { message: `Filter column: ${f.col} not allowed to filter` });
    const has = (r) => String(r[f.col]);
    if (f.opr === 'eq') selected = selected.filter((r) => has(r) === String(f.value));
    else if (f.opr === 'neq') selected = selected.filter((r) => has(r) !== String(f.value));
    else if (f.opr === 'ct') selected = selected.filter((r) => has(r).toLowerCase().includes(String(f.value).toLowerCase()));
    else if (f.opr === 'in') selected = selected.filter((r) => (Array.isArray(f.value) ? f.value : [f.value]).map(String).includes(has(r)));
    else return send(res, 400, { message: `Filter operator: ${f.opr} not allowed for column ${f.col}` });
  }
  const order = args.order_column ?? 'id';
  if (!columns.includes(order)) return send(res, 400, { message: { order_column: ['Must be one of: ' + columns.join(', ') + '.'] } });
  const dir = args.order_direction === 'desc' ? -1 : 1;
  selected = [...selected].sort((x, y) => (x[order] < y[order] ? -dir : x[order] > y[order] ? dir : 0));
  const count = selected.length;
  const pageSize = size === -1 ? count : Math.min(size, ctx.config.page_size_max);
  const window = selected.slice(page * pageSize, page * pageSize + pageSize);
  const cols = args.columns && args.columns.length ? args.columns : columns;
  // A related model's column is asked for as "changed_by.first_name" and answered nested,
  // {"changed_by": {"first_name": …}}, as flask-appbuilder's list API does.
  const head = (col) => col.split('.')[0];
  for (const col of cols) if (!columns.includes(head(col))) return send(res, 400, { message: { columns: { 0: [`Must be one of: ${columns.join(', ')}.`] } } });
  const pick = (r) => {
    const out = {};
    for (const col of cols) {
      const [top, sub] = col.split('.', 2);
      if (sub === undefined) { out[top] = r[top]; continue; }
      if (r[top] === null || typeof r[top] !== 'object') { out[top] = null; continue; }
      out[top] = { ...(out[top] || {}), [sub]: r[top][sub] };
    }
    return out;
  };
  const result = window.map(pick);
  return send(res, 200, { count, ids: window.map((r) => r.id), result, list_columns: cols, list_title: `List ${EXPORT_TYPE[kind]}` });
}

function zipOf(ctx, root, type, files, now) {
  const metadata = ctx.A.dumpYaml({ version: ctx.A.VERSION, type, timestamp: naive(now.toISOString()) + '+00:00' });
  return ctx.writeZip([{ name: `${root}/metadata.yaml`, data: metadata }, ...files.map((f) => ({ name: `${root}/${f.name}`, data: f.text }))], now);
}

function sendZip(res, root, zip) {
  res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.length,
    'Content-Disposition': `attachment; filename=${root}.zip` });
  res.end(zip);
  return 200;
}

function importBundle(ctx, req, res, body, user, h) {
  const parts = ctx.parseMultipart(body, req.headers['content-type']);
  const field = (name) => (parts || []).find((p) => p.name === name);
  const bundle = field('bundle');
  if (!bundle) return h.send(res, 400, { message: 'Bad request' });
  h.entry.multipart_fields = parts.map((p) => p.name);
  const entries = ctx.readZip(bundle.data);
  if (!entries) return h.commandError(res, new ctx.A.CommandError(422, 'Not a ZIP file'));
  if (Object.keys(ctx.A.contentsFromEntries(entries)).length === 0) {
    return h.commandError(res, new ctx.A.CommandError(400, 'No valid import files were found'));
  }
  let passwords = {};
  if (field('passwords')) {
    try { passwords = JSON.parse(field('passwords').data.toString('utf8')); } catch (e) { return h.send(res, 400, { message: 'Bad request' }); }
  }
  const flag = (name, fallback) => (field(name) ? field(name).data.toString('utf8') === 'true' : fallback);
  try {
    ctx.store = ctx.A.importContents(ctx.store, ctx.A.contentsFromEntries(entries), {
      passwords, overwrite: flag('overwrite', true), sparse: flag('sparse', false), user, now: new Date().toISOString(),
    });
  } catch (e) {
    if (!(e instanceof ctx.A.CommandError)) throw e;
    // From 4.1 on, ImportAssetsCommand.run is @transaction(on_error=partial(on_error,
    // catches=(Exception,), reraise=ImportFailedError)): every failure inside the command,
    // its validation errors too, reaches the client as ImportFailedError.
    if (ctx.config.version !== '4.0') return h.commandError(res, new ctx.A.CommandError(500, 'Import failed for an unknown reason'));
    return h.commandError(res, e);
  }
  return h.send(res, 200, { message: 'OK' });
}

function remove(ctx, res, kind, asset, send) {
  const store = ctx.store;
  if (kind === 'database' && store.datasets.some((d) => d.database_id === asset.id)) {
    return send(res, 422, { message: 'Cannot delete a database that has datasets attached' });
  }
  if (kind === 'chart') for (const d of store.dashboards) d.chart_ids = (d.chart_ids || []).filter((c) => c !== asset.id);
  store[STORE[kind]] = store[STORE[kind]].filter((a) => a.id !== asset.id);
  return send(res, 200, { message: 'OK' });
}

function restRoute(ctx, req, res, body, url, user, h) {
  const { send } = h;
  const path = url.pathname;
  const now = new Date();
  if (req.method === 'POST' && path === '/api/v1/assets/import/') return importBundle(ctx, req, res, body, user, h);
  if (req.method === 'GET' && path === '/api/v1/assets/export/') {
    const root = `assets_export_${stamp(now)}`;
    return sendZip(res, root, zipOf(ctx, root, 'assets', ctx.A.exportFiles(ctx.store, null), now));
  }
  const m = /^\/api\/v1\/(database|dataset|chart|dashboard)\/(?:(export)\/|(\d+)|)$/.exec(path);
  if (!m) return send(res, 404, { message: 'Not found' });
  const kind = m[1];
  if (m[2]) {
    if (req.method !== 'GET') return send(res, 405, { message: 'Method Not Allowed' });
    const q = parseQ(ctx, url, send, res);
    if (q.error) return q.error;
    const ids = q.value;
    if (!Array.isArray(ids) || !ids.every(Number.isInteger)) return send(res, 400, { message: 'Not a valid rison argument' });
    const found = ctx.store[STORE[kind]].filter((a) => ids.includes(a.id));
    if (found.length !== new Set(ids).size) return send(res, 404, { message: 'Not found' });
    const root = `${kind}_export_${stamp(now)}`;
    const files = ctx.A.exportFiles(ctx.store, { [STORE[kind]]: ids });
    return sendZip(res, root, zipOf(ctx, root, EXPORT_TYPE[kind], files, now));
  }
  if (m[3] === undefined) {
    if (req.method !== 'GET') return send(res, 405, { message: 'Method Not Allowed' });
    return list(ctx, res, url, kind, send);
  }
  const asset = ctx.store[STORE[kind]].find((a) => a.id === Number(m[3]));
  if (!asset) return send(res, 404, { message: 'Not found' });
  if (req.method === 'GET') return send(res, 200, { id: asset.id, result: describe(ctx, kind, asset) });
  if (req.method === 'DELETE') return remove(ctx, res, kind, asset, send);
  return send(res, 405, { message: 'Method Not Allowed' });
}

module.exports = { restRoute, STORE };
