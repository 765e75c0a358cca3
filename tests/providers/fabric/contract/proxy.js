// SPDX-License-Identifier: MIT
// The contract test's validating proxy (contract_test.cpp): Microsoft's Fabric REST API
// specification served by Prism in proxy mode in front of the local Fabric server.
//
//   node proxy.js SPEC_ROOT API OPS WORK_DIR SPEC...
//     SPEC_ROOT  ../shared/testdata/fabric-api (read only)
//     API, OPS   the local server's API host and operations host (http://127.0.0.1:<port>)
//     WORK_DIR   where fabric-api.json (the bundled specification), prism.log and
//                exchanges.jsonl are written
//     SPEC...    the swagger.json files to serve, relative to SPEC_ROOT (platform/swagger.json ...)
//   prints "listening <api port> <ops port>" once everything accepts requests; exits (and
//   stops Prism) when its stdin closes, so a test that dies leaves nothing running.
//
// The chain: client -> recorder (api or ops port) -> Prism -> shim -> local server (API or
// operations host). The recorder appends each exchange to exchanges.jsonl as
// {host, method, path, status, violations (Prism's `sl-violations` header, or null),
// body (the request's, when there were violations)} before it answers, so a client that
// has its answer finds the line written. The shim is described where it is made.
//
// Bundling: Prism routes by the paths alone and ignores Swagger's basePath (/v1), and it
// serves one document; so the documents' paths are merged into one with /v1 in front,
// their references made absolute (file#pointer into SPEC_ROOT, which Prism resolves),
// an operation's missing `consumes` filled in (see bundle()), and the result written to
// WORK_DIR. The specification itself is not copied.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const [specRoot, api, ops, workDir, ...specs] = process.argv.slice(2);
if (!specRoot || !api || !ops || !workDir || specs.length === 0) {
  process.stderr.write('usage: node proxy.js SPEC_ROOT API OPS WORK_DIR SPEC...\n');
  process.exit(2);
}

// Every $ref of `node` (a part of the document `file`) made absolute.
function absoluteRefs(node, file) {
  if (Array.isArray(node)) return node.map((n) => absoluteRefs(n, file));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const [target, pointer = ''] = value.split('#');
      out[key] = (target === '' ? file : path.resolve(path.dirname(file), target)) + '#' + pointer;
    } else {
      out[key] = absoluteRefs(value, file);
    }
  }
  return out;
}

function bundle() {
  const merged = {
    swagger: '2.0',
    info: { title: 'Microsoft Fabric REST API (' + specs.join(', ') + ')', version: 'v1' },
    host: 'api.fabric.microsoft.com',
    schemes: ['https'],
    paths: {},
  };
  for (const spec of specs) {
    const file = path.resolve(specRoot, spec);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const base = doc.basePath || '';
    for (const [p, item] of Object.entries(doc.paths || {})) {
      const key = base + p;
      if (merged.paths[key]) throw new Error(`${spec}: ${key} is also in another specification`);
      merged.paths[key] = absoluteRefs(item, file);
      // An operation with a body parameter but no `consumes` (updateDefinition's) takes
      // JSON, as the real service does and as AutoRest reads Swagger 2.0; Prism would
      // otherwise refuse every body (415) instead of validating it against the schema.
      for (const operation of Object.values(merged.paths[key])) {
        if (!operation || typeof operation !== 'object' || !Array.isArray(operation.parameters)) continue;
        if (!operation.consumes && !doc.consumes && operation.parameters.some((x) => x.in === 'body'))
          operation.consumes = ['application/json'];
      }
    }
  }
  const out = path.join(workDir, 'fabric-api.json');
  fs.writeFileSync(out, JSON.stringify(merged));
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// A request forwarded to `target` (a URL's origin), its answer collected whole.
function forward(req, body, target, headers, done) {
  const url = new URL(target);
  const out = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url,
    headers: { ...headers, host: url.host } }, (answer) => {
    const chunks = [];
    answer.on('data', (chunk) => chunks.push(chunk));
    answer.on('end', () => done(null, answer, Buffer.concat(chunks)));
  });
  out.on('error', (e) => done(e));
  out.end(body);
}

// An HTTP server on a free loopback port that reads each request whole and hands it to
// `handle(req, body, res)`; resolves to its port.
function serve(handle) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => handle(req, Buffer.concat(chunks), res));
    });
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function main() {
  const spec = bundle();
  const prismPort = await freePort();
  const prismUrl = `http://127.0.0.1:${prismPort}`;

  // Between Prism and the local server: sends a request to the API host or, when the
  // recorder marked it, to the operations host; and adjusts two things in the answers.
  // (1) An empty body labelled JSON (Fabric's 202 and DELETE answers) loses the label:
  // Prism's proxy parses a JSON-labelled body and answers 500 when it is empty.
  // (2) A Location on the operations host points to the recorder's operations port, so
  // the polls go through Prism too.
  let opsRecorderUrl = '';
  const shimPort = await serve((req, body, res) => {
    const headers = { ...req.headers };
    const target = headers['x-converge-host'] === 'ops' ? ops : api;
    delete headers['x-converge-host'];
    forward(req, body, target, headers, (error, answer, text) => {
      if (error) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        return res.end('proxy.js: ' + error.message);
      }
      const out = { ...answer.headers };
      if (text.length === 0 && /json/i.test(out['content-type'] || '')) delete out['content-type'];
      if (typeof out.location === 'string' && out.location.startsWith(ops))
        out.location = opsRecorderUrl + out.location.slice(ops.length);
      res.writeHead(answer.statusCode, out);
      res.end(text);
    });
  });

  const log = fs.openSync(path.join(workDir, 'prism.log'), 'w');
  const prism = spawn(process.execPath,
    [path.join(__dirname, 'node_modules/@stoplight/prism-cli/dist/index.js'), 'proxy', spec,
      `http://127.0.0.1:${shimPort}`, '-h', '127.0.0.1', '-p', String(prismPort), '--errors=false'],
    { stdio: ['ignore', log, log] });
  let prismExited = false;
  prism.on('exit', () => { prismExited = true; });
  const stop = () => { if (!prismExited) prism.kill('SIGTERM'); process.exit(0); };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);

  const deadline = Date.now() + 120000;
  while (!(await accepts(prismPort))) {
    if (prismExited) throw new Error('prism exited; see ' + path.join(workDir, 'prism.log'));
    if (Date.now() > deadline) throw new Error('prism did not start in 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }

  // In front of Prism: every exchange is appended to exchanges.jsonl before it is answered.
  const exchanges = path.join(workDir, 'exchanges.jsonl');
  fs.writeFileSync(exchanges, '');
  const recorder = (host) => (req, body, res) => {
    const headers = { ...req.headers };
    if (host === 'ops') headers['x-converge-host'] = 'ops';
    forward(req, body, prismUrl, headers, (error, answer, text) => {
      const violations = answer && answer.headers['sl-violations'];
      const entry = { host, method: req.method, path: req.url, status: answer ? answer.statusCode : 0,
        violations: violations === undefined ? null : violations };
      if (error) entry.error = error.message;
      if (violations !== undefined) entry.body = body.toString('utf8').slice(0, 4000);
      fs.appendFileSync(exchanges, JSON.stringify(entry) + '\n');
      if (error) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        return res.end('proxy.js: ' + error.message);
      }
      res.writeHead(answer.statusCode, answer.headers);
      res.end(text);
    });
  };
  const apiPort = await serve(recorder('api'));
  const opsPort = await serve(recorder('ops'));
  opsRecorderUrl = `http://127.0.0.1:${opsPort}`;
  process.stdout.write(`listening ${apiPort} ${opsPort}\n`);
}

main().catch((e) => {
  process.stderr.write(`proxy.js: ${e.message}\n`);
  process.exit(1);
});
