// Test hooks for the assets provider's integration tests, loaded into json-server
// with --middlewares. Not part of json-server; nothing here changes its behaviour
// unless a test asks for it:
// - CONVERGE_ASSETS_REQUEST_LOG=<file>: appends "METHOD /path if-match=<value>" per request.
// - a write (POST/PUT/PATCH) whose JSON body has `"reject": true` is refused with 422,
//   like a real server rejecting an invalid item, echoing the item and the
//   Authorization header.
// - CONVERGE_ASSETS_FAULTS=<file>: injected faults, read at every request. The file
//   holds a JSON array of rules {"method", "path" (a prefix), "skip" (matching requests
//   let through first, default 0), "times" (default 1), "fault"}; a rule that fired
//   `times` times is removed from the file. Faults:
//     "500"              answer 500 without doing the request
//     "500-after-write"  do the request (the write happens), then answer 500
//     "drop"             close the connection without doing the request
//     "drop-after-write" do the request, then close the connection without an answer
//     "hang"             never answer (the request is not done)
const fs = require('fs');

// The first rule matching the request, consumed (skip, then times) in the file.
function takeFault(req) {
  const file = process.env.CONVERGE_ASSETS_FAULTS;
  if (!file || !fs.existsSync(file)) return null;
  let rules;
  try {
    rules = JSON.parse(fs.readFileSync(file, 'utf8') || '[]');
  } catch (e) {
    return null;
  }
  const i = rules.findIndex((r) => (!r.method || r.method === req.method) && req.path.startsWith(r.path || '/'));
  if (i < 0) return null;
  const rule = rules[i];
  let fault = null;
  if ((rule.skip || 0) > 0) {
    rule.skip -= 1;
  } else {
    fault = rule.fault;
    rule.times = (rule.times || 1) - 1;
    if (rule.times <= 0) rules.splice(i, 1);
  }
  fs.writeFileSync(file, JSON.stringify(rules));
  return fault;
}

module.exports = (req, res, next) => {
  const log = process.env.CONVERGE_ASSETS_REQUEST_LOG;
  if (log) {
    fs.appendFileSync(log, `${req.method} ${req.path} if-match=${req.get('If-Match') || '-'}\n`);
  }
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && req.body && req.body.reject === true) {
    // Echoes the request, as many real servers do in a validation error (the canary
    // secrets test checks that converge hides what is sent back).
    res.status(422).json({ message: 'item rejected by the test server (reject: true)', item: req.body,
                           authorization: req.headers.authorization || null });
    return;
  }
  const fault = takeFault(req);
  if (fault === '500') {
    res.status(500).json({ message: 'injected fault: 500 before the request was done' });
    return;
  }
  if (fault === 'drop') {
    req.socket.destroy();
    return;
  }
  if (fault === 'hang') return;
  if (fault === '500-after-write' || fault === 'drop-after-write') {
    const end = res.end;
    res.end = function (...args) {
      if (fault === 'drop-after-write') {
        req.socket.destroy();
        return this;
      }
      if (!res.headersSent) res.statusCode = 500;
      return end.apply(this, args);
    };
  }
  next();
};
