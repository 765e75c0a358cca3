// SPDX-License-Identifier: MIT
// The control API of the local Superset API (server.js documents it): reset, seed, state,
// UI edits, configuration, Preset API tokens, faults, the request log and ZIP/YAML helpers
// for tests.
'use strict';
const { STORE } = require('./rest.js');

function merge(target, changes) {
  for (const [k, v] of Object.entries(changes)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object' && !Array.isArray(target[k])) merge(target[k], v);
    else if (v === undefined) delete target[k];
    else target[k] = v;
  }
}

function stateOf(ctx) {
  const out = {};
  const who = (id) => { const u = ctx.users.find((x) => x.id === id); return u ? { id: u.id, username: u.username, first_name: u.first_name, last_name: u.last_name } : null; };
  for (const kind of ctx.A.KINDS) {
    out[kind] = ctx.store[kind].map((a) => ({ ...structuredClone(a), changed_by: who(a.changed_by), created_by: who(a.created_by) }));
  }
  out.users = ctx.users.map((u) => ({ id: u.id, username: u.username, first_name: u.first_name, last_name: u.last_name, email: u.email,
    active: u.active, roles: u.roles.map((r) => r.name), login_count: u.login_count, last_login: u.last_login }));
  out.preset_tokens = [...ctx.presetTokens].map(([name, t]) => ({ name, user: ctx.users.find((u) => u.id === t.user).username }));
  return out;
}

function controlRoute(ctx, req, res, body, url, send) {
  const path = url.pathname;
  const m = req.method;
  let b = null;
  const json = () => JSON.parse(body.toString('utf8') || '{}');
  if (m === 'POST' && path === '/_control/reset') { ctx.reset(); return send(res, 200, {}); }
  if (m === 'GET' && path === '/_control/state') return send(res, 200, stateOf(ctx));
  if (m === 'POST' && path === '/_control/seed') {
    b = json();
    const user = ctx.users.find((u) => u.username === (b.user || 'admin'));
    const contents = { 'metadata.yaml': ctx.A.dumpYaml({ version: ctx.A.VERSION, type: 'assets', timestamp: new Date().toISOString() }), ...b.files };
    try {
      ctx.store = ctx.A.importContents(ctx.store, contents, { passwords: b.passwords || {}, overwrite: true, user, now: new Date().toISOString() });
    } catch (e) {
      if (!(e instanceof ctx.A.CommandError)) throw e;
      return send(res, e.status, { errors: [{ message: e.message, extra: e.extra }] });
    }
    const ids = {};
    for (const kind of ctx.A.KINDS) ids[kind] = Object.fromEntries(ctx.store[kind].map((a) => [a.uuid, a.id]));
    return send(res, 200, ids);
  }
  if (m === 'POST' && path === '/_control/ui_edit') {
    b = json();
    const kind = STORE[b.kind] || b.kind;
    const asset = (ctx.store[kind] || []).find((a) => a.uuid === b.uuid);
    if (!asset) return send(res, 404, { message: `no ${b.kind} ${b.uuid}` });
    const user = ctx.users.find((u) => u.username === (b.user || 'admin'));
    if (!user) return send(res, 400, { message: `no user ${b.user}` });
    merge(asset.config, b.changes || {});
    const nameKey = { databases: 'database_name', datasets: 'table_name', charts: 'slice_name', dashboards: 'dashboard_title' }[kind];
    asset.name = asset.config[nameKey];
    asset.changed_by = user.id;
    asset.changed_on = new Date().toISOString();
    return send(res, 200, stateOf(ctx)[kind].find((a) => a.uuid === b.uuid));
  }
  if (m === 'POST' && path === '/_control/config') {
    b = json();
    for (const k of ['token_lifetime', 'refresh_lifetime', 'page_size_max', 'csrf', 'version', 'preset_token_lifetime', 'security_api']) {
      if (k in b) ctx.config[k] = b[k];
    }
    return send(res, 200, ctx.config);
  }
  if (m === 'POST' && path === '/_control/preset_token') {
    b = json();
    if (typeof b.name !== 'string' || !b.name || typeof b.secret !== 'string' || !b.secret) {
      return send(res, 400, { message: 'preset_token needs a name and a secret' });
    }
    const user = ctx.users.find((u) => u.username === b.user);
    if (!user) return send(res, 400, { message: `no user ${b.user}` });
    ctx.presetTokens.set(b.name, { secret: b.secret, user: user.id });
    return send(res, 200, { name: b.name, user: user.username });
  }
  if (m === 'POST' && path === '/_control/user') {
    // A user as an admin adds one in Superset's UI (any text in the names).
    b = json();
    if (typeof b.username !== 'string' || !b.username || ctx.users.some((u) => u.username === b.username)) {
      return send(res, 400, { message: 'user needs a new username' });
    }
    const id = Math.max(...ctx.users.map((u) => u.id)) + 1;
    ctx.users.push({
      id, username: b.username, password: b.password || `${b.username}-pw`, first_name: b.first_name || '',
      last_name: b.last_name || '', email: b.email || `${b.username}@example.com`, roles: [{ id: 4, name: 'Gamma' }],
      active: true, created_on: '2026-01-01T00:00:00', changed_on: '2026-01-01T00:00:00', last_login: null,
      login_count: 0, fail_login_count: 0,
    });
    return send(res, 200, { id, username: b.username });
  }
  if (m === 'POST' && path === '/_control/tokens/expire') {
    for (const jti of ctx.issued) ctx.revoked.add(jti);
    return send(res, 200, {});
  }
  if (path === '/_control/faults') {
    if (m === 'DELETE') { ctx.faults = []; return send(res, 200, {}); }
    b = json();
    const f = { id: ctx.nextFault++, method: b.method || '*', path: b.path || '.*', kind: b.kind || 'server_error',
      count: b.count ?? 1, skip: b.skip ?? 0, status: b.status || 0, retry_after: b.retry_after === undefined ? 1 : b.retry_after,
      delay_ms: b.delay_ms ?? 2000 };
    if (!['throttle', 'server_error', 'drop', 'drop_after', 'slow'].includes(f.kind)) return send(res, 400, { message: `unknown fault ${f.kind}` });
    ctx.faults.push(f);
    return send(res, 200, { id: f.id });
  }
  if (path === '/_control/requests') {
    if (m === 'DELETE') { ctx.log = []; return send(res, 200, {}); }
    return send(res, 200, ctx.log);
  }
  if (m === 'POST' && path === '/_control/zip') {
    b = json();
    const root = b.root === undefined ? 'bundle' : b.root;
    const entries = Object.entries(b.files).map(([name, text]) => ({ name: root ? `${root}/${name}` : name, data: text }));
    const zip = ctx.writeZip(entries);
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.length });
    res.end(zip);
    return 200;
  }
  if (m === 'POST' && path === '/_control/unzip') {
    const entries = ctx.readZip(body);
    if (!entries) return send(res, 422, { message: 'Not a ZIP file' });
    return send(res, 200, { files: Object.fromEntries(entries.map((e) => [e.name, e.data.toString('utf8')])) });
  }
  if (m === 'POST' && path === '/_control/yaml') {
    try { return send(res, 200, { value: ctx.A.YAML.parse(json().text) }); } catch (e) { return send(res, 422, { message: String(e.message) }); }
  }
  return send(res, 404, { message: `no control route ${m} ${path}` });
}

module.exports = { controlRoute };
