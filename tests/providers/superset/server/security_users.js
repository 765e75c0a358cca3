// SPDX-License-Identifier: MIT
// Flask-AppBuilder's security users API of the local server (server.js documents the
// answers): GET /api/v1/security/users/<pk> as FAB's UserApi (ModelRestApi.get) shows a
// user, and the 404 Superset answers when FAB_ADD_SECURITY_API is off and the route is missing.
'use strict';

const SHOW_COLUMNS = ['id', 'roles.id', 'roles.name', 'first_name', 'last_name', 'username', 'active', 'email',
  'last_login', 'login_count', 'fail_login_count', 'created_on', 'changed_on', 'created_by.id', 'changed_by.id'];

// FAB's labels for columns it has none for (_prettify_column: "[._]" -> " ", title case).
const prettify = (c) => c.replace(/[._]/g, ' ').replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());

const ISSUE_1011 = { code: 1011, message: 'Issue 1011 - Superset encountered an unexpected error.' };

// A route Superset does not have: werkzeug's NotFound through superset/views/error_handling.py's
// show_http_exception: the 404.html page when the Accept header admits text/html (*/* does,
// as werkzeug matches wildcards), else a SIP-40 error body.
function missingRoute(req, res, send) {
  const accept = req.headers.accept || '';
  if (/(^|[\s,])(text\/html|text\/\*|\*\/\*)/.test(accept)) {
    const page = Buffer.from('<!DOCTYPE html>\n<html><head><title>404: Not found | Superset</title></head><body><h1>404</h1></body></html>\n');
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': page.length });
    res.end(page);
    return 404;
  }
  return send(res, 404, {
    errors: [{
      message: '404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
      error_type: 'GENERIC_BACKEND_ERROR', level: 'error', extra: { issue_codes: [ISSUE_1011] },
    }],
  });
}

function showUser(ctx, u) {
  return {
    active: u.active,
    changed_by: null,
    changed_on: u.changed_on,
    created_by: null,
    created_on: u.created_on,
    email: u.email,
    fail_login_count: u.fail_login_count,
    first_name: u.first_name,
    id: u.id,
    last_login: u.last_login,
    last_name: u.last_name,
    login_count: u.login_count,
    roles: u.roles.map((r) => ({ id: r.id, name: r.name })),
    username: u.username,
  };
}

// GET /api/v1/security/users/<pk>, the caller authenticated. -> the status sent.
function usersRoute(ctx, req, res, pk, caller, send) {
  if (req.method !== 'GET') return send(res, 405, { message: 'Method Not Allowed' });
  // FAB's protect(): can_read on User, which Superset gives the Admin role only (guess on the mapping).
  if (!caller.roles.some((r) => r.name === 'Admin')) return send(res, 403, { message: 'Forbidden' });
  const user = /^\d+$/.test(pk) ? ctx.users.find((u) => u.id === Number(pk)) : null;
  if (!user) return send(res, 404, { message: 'Not found' });
  return send(res, 200, {
    description_columns: {},
    id: pk,  // ModelRestApi.get_headless echoes the <pk> of the route, a string (FAB's "/<pk>" has no int converter)
    label_columns: Object.fromEntries(SHOW_COLUMNS.map((c) => [c, prettify(c)])),
    result: showUser(ctx, user),
    show_columns: SHOW_COLUMNS,
    show_title: 'Show User',
  });
}

module.exports = { usersRoute, missingRoute };
