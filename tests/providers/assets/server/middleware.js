// Test hooks for the assets provider's integration tests, loaded into json-server
// with --middlewares. Not part of json-server; nothing here changes its behaviour
// unless a test asks for it:
// - CONVERGE_ASSETS_REQUEST_LOG=<file>: appends "METHOD /path if-match=<value>" per request.
// - a write (POST/PUT/PATCH) whose JSON body has `"reject": true` is refused with 422,
//   like a real server rejecting an invalid item, echoing the item and the
//   Authorization header.
const fs = require('fs');

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
  next();
};
