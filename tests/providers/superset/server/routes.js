// SPDX-License-Identifier: MIT
// The routes of the local Superset API (server.js documents every answer): faults and the
// request log around each request, the security API (login, refresh, CSRF, FAB's users
// API), the Preset manager's token exchange, asset import/export, the per-kind REST API
// and the control API.
'use strict';
const { issue, bearer, session, csrfFailure } = require('./auth.js');
const { restRoute } = require('./rest.js');
const { controlRoute } = require('./control.js');
const { presetRoute } = require('./preset.js');
const { usersRoute, missingRoute } = require('./security_users.js');

const ISSUE_1010 = { code: 1010, message: 'Issue 1010 - Superset encountered an error while running a command.' };
const ISSUE_1011 = { code: 1011, message: 'Issue 1011 - Superset encountered an unexpected error.' };

function send(res, status, body, headers = {}) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, ...headers });
  res.end(data);
  return status;
}

function commandError(res, err) {
  const level = err.status >= 500 ? 'error' : 'warning';
  return send(res, err.status, {
    errors: [{ message: err.message, error_type: 'GENERIC_COMMAND_ERROR', level, extra: { ...err.extra, issue_codes: [ISSUE_1010] } }],
  });
}

function csrfError(res, reason) {
  return send(res, 400, {
    errors: [{ message: `400 Bad Request: ${reason}`, error_type: 'GENERIC_BACKEND_ERROR', level: 'error', extra: { issue_codes: [ISSUE_1011] } }],
  });
}

function findFault(ctx, method, path) {
  for (const f of ctx.faults) {
    if (f.count === 0) continue;
    if (f.method !== '*' && f.method !== method) continue;
    if (!new RegExp(f.path).test(path)) continue;
    if (f.skip > 0) { f.skip--; continue; }
    if (f.count > 0) f.count--;
    return f;
  }
  return null;
}

async function route(ctx, req, res, body) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const path = url.pathname;
  const entry = {
    method: req.method, path, query: url.search.replace(/^\?/, ''),
    authorization: !!req.headers.authorization,
    csrf: !!(req.headers['x-csrftoken'] || req.headers['x-csrf-token']),
    cookie: !!req.headers.cookie, status: 0, fault: null,
  };
  if (path.startsWith('/_control/')) return controlRoute(ctx, req, res, body, url, send);
  ctx.log.push(entry);
  const fault = findFault(ctx, req.method, path);
  if (fault) {
    entry.fault = fault.kind;
    if (fault.kind === 'drop') { entry.status = 0; req.socket.destroy(); return; }
    if (fault.kind === 'drop_after') {
      // The request runs to its end; its answer is thrown away with the connection.
      const sink = { headersSent: false, writeHead() {}, setHeader() {}, end() {} };
      await api(ctx, req, sink, body, url, entry);
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'throttle') {
      const headers = fault.retry_after === null ? {} : { 'Retry-After': String(fault.retry_after) };
      entry.status = send(res, 429, { message: '429 Too Many Requests: 1 per 1 second' }, headers);
      return;
    }
    if (fault.kind === 'server_error') {
      entry.status = send(res, fault.status || 500, { message: 'Fatal error' });
      return;
    }
    if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delay_ms));
  }
  entry.status = await api(ctx, req, res, body, url, entry);
}

async function api(ctx, req, res, body, url, entry) {
  const path = url.pathname;
  const json = () => { try { return JSON.parse(body.toString('utf8') || 'null'); } catch (e) { return undefined; } };
  if (req.method === 'POST' && path === '/api/v1/security/login') {
    const b = json();
    if (!b || typeof b !== 'object') return send(res, 400, { message: 'Request payload is not JSON' });
    if (!b.username || !b.password || !b.provider) return send(res, 400, { message: 'Missing required parameter' });
    if (b.provider !== 'db' && b.provider !== 'ldap') return send(res, 400, { message: `Provider ${b.provider} not supported` });
    const user = ctx.users.find((u) => u.username === b.username && u.password === b.password);
    if (!user || b.provider !== 'db') return send(res, 401, { message: 'Not authorized' });
    user.login_count += 1;
    user.last_login = new Date().toISOString().replace('Z', '000');
    const out = { access_token: issue(ctx, user, 'access') };
    if (b.refresh === true) out.refresh_token = issue(ctx, user, 'refresh');
    return send(res, 200, out);
  }
  if (path.startsWith('/v1/')) return presetRoute(ctx, req, res, body, path, send);
  const users = /^\/api\/v1\/security\/users\/([^/]+)$/.exec(path);
  if (users && !ctx.config.security_api) return missingRoute(req, res, send);  // FAB_ADD_SECURITY_API off
  const auth = bearer(ctx, req);
  if (auth && auth.status) return send(res, auth.status, auth.body);
  if (req.method === 'POST' && path === '/api/v1/security/refresh') {
    if (!auth) return send(res, 401, { msg: 'Missing Authorization Header' });
    if (auth.type !== 'refresh') return send(res, 422, { msg: 'Only refresh tokens are allowed' });
    return send(res, 200, { access_token: issue(ctx, auth.user, 'access') });
  }
  if (!path.startsWith('/api/v1/')) return send(res, 404, { message: 'Not found' });
  if (!auth) return send(res, 401, { message: 'Not authorized' });
  if (auth.type !== 'access' && auth.type !== 'preset') return send(res, 422, { msg: 'Only non-refresh tokens are allowed' });
  const user = auth.user;
  if (users) return usersRoute(ctx, req, res, users[1], user, send);
  if (req.method === 'GET' && path === '/api/v1/security/csrf_token/') {
    const s = session(ctx, req, true);
    const headers = s.isNew ? { 'Set-Cookie': `session=${s.id}; HttpOnly; Path=/; SameSite=Lax` } : {};
    return send(res, 200, { result: s.session.csrf }, headers);
  }
  // A Preset workspace takes its manager's JWT alone (preset-cli's PresetAuth sends only the
  // Authorization header): no CSRF check for those.
  if (ctx.config.csrf && auth.type !== 'preset' && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) {
    const reason = csrfFailure(ctx, req);
    if (reason) return csrfError(res, reason);
  }
  return restRoute(ctx, req, res, body, url, user, { send, commandError, entry });
}

module.exports = { route, send, commandError };
