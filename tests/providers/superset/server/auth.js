// SPDX-License-Identifier: MIT
// Tokens, sessions and CSRF of the local Superset API (server.js documents the answers):
// JWT-shaped tokens signed with HS256 as flask-jwt-extended issues them (and the Preset
// manager's JWTs, type "preset"), Flask-WTF's session-bound CSRF tokens.
'use strict';
const crypto = require('crypto');

const b64url = (buf) => Buffer.from(buf).toString('base64url');

const LIFETIME = { access: 'token_lifetime', refresh: 'refresh_lifetime', preset: 'preset_token_lifetime' };

// type: "access" or "refresh" (POST /api/v1/security/login), "preset" (POST /v1/auth/).
function issue(ctx, user, type) {
  const now = Math.floor(Date.now() / 1000);
  const lifetime = ctx.config[LIFETIME[type]];
  const payload = { fresh: type === 'access', iat: now, jti: crypto.randomUUID(), type, sub: String(user.id), nbf: now, exp: now + lifetime };
  ctx.issued.push(payload.jti);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })) + '.' + b64url(JSON.stringify(payload));
  return head + '.' + b64url(crypto.createHmac('sha256', ctx.secret).update(head).digest());
}

// -> {user, type} or {status, body} (flask-jwt-extended's answers) or null (no header).
function bearer(ctx, req) {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer (.*)$/.exec(h);
  if (!m) return { status: 401, body: { msg: "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'" } };
  const parts = m[1].split('.');
  if (parts.length !== 3) return { status: 422, body: { msg: 'Not enough segments' } };
  const sig = b64url(crypto.createHmac('sha256', ctx.secret).update(parts[0] + '.' + parts[1]).digest());
  if (sig !== parts[2]) return { status: 422, body: { msg: 'Signature verification failed' } };
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  if (payload.exp <= Math.floor(Date.now() / 1000) || ctx.revoked.has(payload.jti)) {
    return { status: 401, body: { msg: 'Token has expired' } };
  }
  const user = ctx.users.find((u) => String(u.id) === payload.sub);
  if (!user) return { status: 401, body: { msg: 'Token has expired' } };
  return { user, type: payload.type, jti: payload.jti };
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

// The session of the request's cookie, made when `create` and there is none. Returns
// {id, session, isNew}.
function session(ctx, req, create) {
  const id = cookies(req).session;
  if (id && ctx.sessions.has(id)) return { id, session: ctx.sessions.get(id), isNew: false };
  if (!create) return null;
  const fresh = crypto.randomBytes(18).toString('base64url');
  const s = { csrf: crypto.randomBytes(20).toString('hex') };
  ctx.sessions.set(fresh, s);
  return { id: fresh, session: s, isNew: true };
}

// null when the request passes Flask-WTF's check, else the reason.
function csrfFailure(ctx, req) {
  const s = session(ctx, req, false);
  if (!s) return 'The CSRF session token is missing.';
  const token = req.headers['x-csrftoken'] || req.headers['x-csrf-token'];
  if (!token) return 'The CSRF token is missing.';
  if (token !== s.session.csrf) return 'The CSRF token is invalid.';
  return null;
}

module.exports = { issue, bearer, session, csrfFailure };
