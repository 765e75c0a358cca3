// SPDX-License-Identifier: MIT
// Prints the distinct answered exchanges of a fabric-cicd HTTP recording
// (http_trace.json.gz, its path the first argument) as one JSON array of
// {method, url, request, status, headers, body}, for fabric_server_test. The recording
// repeats most exchanges many times (7,688 recorded, 133 distinct): an exchange is a
// repeat when it differs only in what changes on every answer (Date, RequestId and
// activity ids) or in its definition parts' payloads. A request body that is JSON text
// is parsed. No npm dependencies.
'use strict';

const fs = require('node:fs');
const zlib = require('node:zlib');

const VOLATILE = new Set(['date', 'requestid', 'x-ms-root-activity-id']);
const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(process.argv[2])).toString('utf8'));
const seen = new Set();
const out = [];
for (const t of trace.traces) {
  const r = t.response;
  if (!r) continue;  // no answer was recorded
  let request = t.request.body;
  if (typeof request === 'string') {
    try { request = JSON.parse(request); } catch { /* kept as text */ }
  }
  const withoutPayloads = JSON.parse(JSON.stringify(request === undefined ? null : request), (k, v) => (k === 'payload' ? '' : v));
  const stable = Object.entries(r.headers || {}).map(([k, v]) => [k, VOLATILE.has(k.toLowerCase()) ? '' : v]).sort();
  const key = JSON.stringify([t.request.method, t.request.url, withoutPayloads, r.status_code, stable, r.body]);
  if (seen.has(key)) continue;
  seen.add(key);
  out.push({ method: t.request.method, url: t.request.url, request, status: r.status_code, headers: r.headers || {}, body: r.body });
}
process.stdout.write(JSON.stringify(out));
