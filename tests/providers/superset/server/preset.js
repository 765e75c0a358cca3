// SPDX-License-Identifier: MIT
// The Preset manager API of the local server (server.js documents the answers): POST
// /v1/auth/ exchanges a Preset API token's name and secret for a JWT that the workspace
// routes (/api/v1/...) take as a Bearer token, as preset-cli's PresetAuth uses it.
'use strict';
const { issue } = require('./auth.js');

// -> the status sent. `send` as routes.js's.
function presetRoute(ctx, req, res, body, path, send) {
  if (path !== '/v1/auth/') return send(res, 404, { message: 'Not found' });
  if (req.method !== 'POST') return send(res, 405, { message: 'Method Not Allowed' });
  let b;
  try { b = JSON.parse(body.toString('utf8')); } catch (e) { b = undefined; }
  if (!b || typeof b !== 'object' || Array.isArray(b)) return send(res, 400, { message: 'Request payload is not JSON' });
  if (typeof b.name !== 'string' || typeof b.secret !== 'string' || !b.name || !b.secret) {
    return send(res, 400, { message: 'Missing required parameter' });
  }
  const token = ctx.presetTokens.get(b.name);
  const user = token && token.secret === b.secret ? ctx.users.find((u) => u.id === token.user) : null;
  if (!user) return send(res, 401, { message: 'Invalid API token or secret' });
  return send(res, 200, { payload: { access_token: issue(ctx, user, 'preset') } });
}

module.exports = { presetRoute };
