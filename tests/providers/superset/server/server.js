// SPDX-License-Identifier: MIT
// A local Apache Superset (4.x/5.x) REST API for tests: users, JWT logins, CSRF, Preset's
// API-token exchange, FAB's security users API, and
// databases/datasets/charts/dashboards kept as Superset keeps them, imported and
// exported through Superset's asset bundle (a ZIP of YAML). Facts are taken from
// Superset's code and tests (files cited below); answers marked (guess) are not.
//
//   node server.js [--token-lifetime S] [--refresh-lifetime S] [--page-size-max N] [--no-csrf]
//                  [--superset-version 4.0|5.0] [--preset-token-lifetime S] [--no-security-api]
//
// Listens on one loopback port, prints `listening <port>` on stdout when ready (nothing
// else), exits when stdin closes. Needs node_modules/yaml (install.sh).
//
// ---- Authentication (flask-appbuilder's SecurityApi, superset/security/api.py) -------
//   POST /api/v1/security/login {username, password, provider:"db", refresh?: bool}
//     -> 200 {access_token, refresh_token (when refresh)}; wrong user or password (or ldap,
//        which has no users here) -> 401 {"message":"Not authorized"}; not JSON -> 400 {"message":
//        "Request payload is not JSON"}; a field missing -> 400 {"message":"Missing required
//        parameter"}; another provider -> 400 {"message":"Provider <p> not supported"}
//        (flask_appbuilder/security/api.py). Tokens are JWT-shaped (payload: fresh, iat, jti, type, sub, nbf,
//        exp, as flask-jwt-extended issues); access tokens live --token-lifetime (900 s,
//        JWT_ACCESS_TOKEN_EXPIRES' default), refresh tokens --refresh-lifetime (30 days).
//   POST /api/v1/security/refresh with Authorization: Bearer <refresh_token> -> 200
//        {access_token}; an access token there -> 422 {"msg":"Only refresh tokens are allowed"}.
//   Errors of flask-jwt-extended on any route: no header -> 401 {"msg":"Missing Authorization
//        Header"} (the protected Superset routes answer 401 {"message":"Not authorized"} then,
//        FAB's protect()), past exp -> 401 {"msg":"Token has expired"}, malformed ->
//        422 {"msg":"Not enough segments"}, unknown signature -> 422 {"msg":"Signature verification failed"}.
//   GET  /api/v1/security/csrf_token/ (authenticated) -> 200 {"result": "<token>"} and a
//        `session=<id>` cookie (HttpOnly) holding the token's secret, as Flask-WTF does.
//   CSRF: Superset's APIs set csrf_exempt = False (superset/views/base_api.py:
//        BaseSupersetModelRestApi; FAB's own SecurityApi, login and refresh, is exempt) and
//        WTF_CSRF_ENABLED is True by default, so every POST/PUT/PATCH/DELETE to them needs
//        X-CSRFToken (or X-CSRF-Token) with the session cookie it came with, Bearer token or
//        not. Refused -> 400 {"errors":[{"message":"400 Bad Request: The CSRF session token
//        is missing." | "...: The CSRF token is missing." | "...: The CSRF token is
//        invalid.","error_type":"GENERIC_BACKEND_ERROR","level":"error","extra":{issue_codes}}]}
//        (Flask-WTF's messages; the envelope from superset/views/base.py's handler (guess)).
//        --no-csrf turns the check off (WTF_CSRF_ENABLED = False). Not checked for a Preset JWT (below).
//   A login counts in the user's login_count and sets last_login (FAB's update_user_auth_stat).
//
// ---- Preset (the manager API and a workspace on the same port) ------------------------
//   preset-io/backend-sdk, src/preset_cli/auth/lib.py get_access_token: POST <manager>/v1/auth/
//   with JSON {"name": <API token>, "secret": <API secret>} and Content-Type: application/json;
//   it reads payload.access_token of the answer. Here:
//   POST /v1/auth/ {name, secret} -> 200 {"payload":{"access_token":"<JWT>"}} for a token seeded
//        with POST /_control/preset_token; wrong name or secret -> 401 {"message":"Invalid API
//        token or secret"} (guess: preset-cli only raise_for_status()es, no body is published);
//        not a JSON object -> 400 {"message":"Request payload is not JSON"}, name or secret missing
//        or not a non-empty string -> 400 {"message":"Missing required parameter"} (both guesses,
//        worded as FAB's login). Another path under /v1/ -> 404 {"message":"Not found"}, another
//        method -> 405 (guesses). These requests are logged and take faults as the API's do.
//   The JWT (payload type "preset", sub = the token's user; its real claims are not published)
//   lives --preset-token-lifetime (3600 s, a guess: Preset documents no number; a third-party
//   description of the API says "a few hours") and expire_tokens() expires it too. The
//   workspace routes (/api/v1/...) take it as `Authorization: Bearer <JWT>` as they take an
//   access token, WITHOUT the CSRF token and session cookie: preset-cli's PresetAuth.get_headers
//   is {"Authorization": "Bearer <JWT>"} only, and SupersetClient adds just Referer and
//   User-Agent (api/clients/superset.py), while its SupersetJWTAuth for a self-hosted Superset
//   fetches /api/v1/security/csrf_token/ and sends X-CSRFToken. preset-cli re-exchanges the
//   API token when an answer is 401 (auth/main.py Auth.reauth), as a client here must when the
//   JWT expires. /api/v1/security/refresh does not take it (422, not a refresh token).
//
// ---- FAB's security users API (flask_appbuilder/security/sqla/apis/user/api.py) ----------
//   GET /api/v1/security/users/<pk> (authenticated; a Preset JWT will do) -> 200 {"description_columns":
//        {}, "id": "<pk>" (the route's <pk> as given, a STRING: FAB's "/<pk>" has no int converter,
//        ModelRestApi.get_headless echoes it), "label_columns": {…}, "result": {active, changed_by,
//        changed_on, created_by, created_on, email, fail_login_count, first_name, id (int),
//        last_login, last_name, login_count, roles:[{id,name}], username},
//        "show_columns": […], "show_title": "Show User"} (keys as FAB's tests/test_security_api.py
//        lists them; groups, of FAB 4.7+, left out); none -> 404 {"message":"Not found"}; a user
//        without the Admin role -> 403 {"message":"Forbidden"} (guess: Superset keeps the security
//        views to Admin). Users: admin (Admin), alice (Admin), bob (Gamma), e-mail <username>@example.com.
//   The API exists only with FAB_ADD_SECURITY_API = True (FAB's default is False; that
//   superset/config.py leaves it so is a guess: apache/superset#21053, which would have added the
//   APIs, was closed, and deployments' superset_config.py set it True): config security_api
//   (default true here, as converge's users would have it), false or
//   --no-security-api -> the route is missing: Superset's HTTPException handler
//   (superset/views/error_handling.py) answers 404 with its 404.html page when the Accept
//   header admits text/html (*/* does), else {"errors":[{"message":"404 Not Found: The requested
//   URL was not found on the server. If you entered the URL manually please check your spelling
//   and try again.","error_type":"GENERIC_BACKEND_ERROR","level":"error","extra":{"issue_codes":
//   [1011…]}}]}, before any authentication.
//
// ---- Import and export (superset/importexport/api.py) --------------------------------
//   POST /api/v1/assets/import/  multipart: bundle (the ZIP), passwords (JSON {"databases/x.yaml":
//        "pw"}), overwrite ("true"/"false"; absent = true, ImportAssetsCommand's default),
//        sparse ("true": datasets/databases may be on the server already), ssh_tunnel_* (taken,
//        unused) -> 200 {"message":"OK"}. (overwrite and sparse are the command's arguments; the
//        released api.py passes neither, so Superset always overwrites there.)
//        Files: the ZIP's first folder is dropped (remove_root), only *.yaml/*.yml not starting
//        with . or _; prefixes databases/ datasets/ charts/ dashboards/ (queries/ ignored).
//        Which errors reach the client depends on --superset-version (default 5.0):
//          5.0 (Superset 4.1 and later): ImportAssetsCommand.run is wrapped in @transaction(
//          on_error=partial(on_error, catches=(Exception,), reraise=ImportFailedError))
//          (superset/commands/importers/v1/assets.py, superset/utils/decorators.py), so EVERY
//          failure of the command below, validation included, answers 500 {"errors":[{"message":
//          "Import failed for an unknown reason","error_type":"GENERIC_COMMAND_ERROR","level":
//          "error","extra":{"issue_codes":[1010…]}}]} (users report exactly this: apache/superset
//          #32411, "Unable to diagnose import issues"). 4.0 (before the decorator): the command's
//          own errors, as listed here, reach the client.
//        Raised by the API itself in every version (superset/importexport/api.py,
//        superset/commands/importers/exceptions.py): no bundle -> 400 {"message":"Bad request"};
//        not a ZIP -> 422 "Not a ZIP file" (IncorrectFormatError); no YAML file in it -> 400
//        "No valid import files were found" (NoValidFilesFoundError).
//        The command's errors, {"errors":[{"message","error_type":"GENERIC_COMMAND_ERROR","level","extra":
//        {<file>: <messages>, "issue_codes":[{"code":1010,"message":"Issue 1010 - Superset
//        encountered an error while running a command."}]}}]} (superset/commands/importers/v1/
//        utils.py, assets.py; the shapes in superset-frontend's import tests):
//          no metadata.yaml -> 422 "Missing metadata.yaml"; version != 1.0.0 -> 422
//          "Must be equal to 1.0.0." (IncorrectVersionError); type != assets -> 422
//          "Error importing assets" {"metadata.yaml":{"type":["Must be equal to assets."]}};
//          bad YAML -> {<file>:"Not a valid YAML file"}; a required field missing ->
//          {<file>:{<field>:["Missing data for required field."]}}; a chart's or dataset's
//          cache_timeout not an integer -> {<file>:{"cache_timeout":["Not a valid integer."]}},
//          its params not a mapping -> {<file>:{"params":["Not a valid mapping type."]}}; a database whose
//          sqlalchemy_uri has the password XXXXXXXXXX, none in `passwords`, the YAML or an
//          existing database of that uuid -> {<file>:{"_schema":["Must provide a password for
//          the database"]}}; overwrite=false and the uuid exists -> {<file>:"<Database|SqlaTable|
//          Slice|Dashboard> already exists and `overwrite=true` was not passed"}.
//          A dataset whose database_uuid, or a chart whose dataset_uuid, is not in the bundle
//          (or, sparse, on the server) -> 500 "Import failed for an unknown reason", level
//          "error" (the KeyError in ImportAssetsCommand._import, re-raised as ImportFailedError).
//        All or nothing: a failed import changes no asset. Imported assets get changed_by =
//        the caller, changed_on = now; a chart's params.datasource becomes "<dataset id>__table",
//        a dashboard's position CHART meta.chartId the chart's id (update_chart_config_dataset,
//        update_id_refs); is_managed_externally / external_url are read from the YAML.
//   GET  /api/v1/assets/export/ -> 200 application/zip, attachment assets_export_<YYYYMMDDTHHMMSS>.zip:
//        <root>/metadata.yaml {version: 1.0.0, type: assets, timestamp}, databases/<name>.yaml,
//        datasets/<database name>/<table>.yaml, charts/<slice name>_<id>.yaml,
//        dashboards/<title>_<id>.yaml (secure_filename). A database's URI has its password
//        masked XXXXXXXXXX and no password key. Keys keep the order they were imported in.
//   GET  /api/v1/<kind>/export/?q=!(ids) -> the same for those assets and what they reference,
//        root <kind>_export_<ts>, metadata type Database|SqlaTable|Slice|Dashboard; an unknown
//        id -> 404 {"message":"Not found"}.
//
// ---- Per-kind REST (kind: database, dataset, chart, dashboard) ------------------------
//   GET /api/v1/<kind>/?q=(page:0,page_size:25,filters:!((col:uuid,opr:eq,value:'…')),
//        columns:!(id,uuid),order_column:id,order_direction:asc) -> 200 {count, ids,
//        result:[…], list_columns, list_title}; page_size at most --page-size-max (100).
//        Bad rison -> 400 {"message":"Not a valid rison argument"}; an unknown key, column or
//        operator -> 400 {"message":{<key>:[…]}} (guess on the wording).
//        Filter operators: eq, neq, ct (contains), in.
//   GET /api/v1/<kind>/<pk> -> 200 {id, result:{…}}; none -> 404 {"message":"Not found"}.
//   DELETE /api/v1/<kind>/<pk> -> 200 {"message":"OK"}; none -> 404; a database with datasets
//        -> 422 {"message":"Cannot delete a database that has datasets attached"}
//        (DatabaseDeleteDatasetsExistFailedError); a dataset's charts do not block it (Superset's
//        DeleteDatasetCommand has no such check), a chart leaves its dashboards.
//   Every result carries id, uuid, changed_by {first_name,last_name,id}, changed_on (ISO, no
//   zone, as Superset's naive UTC timestamps), changed_on_utc, changed_on_delta_humanized,
//   is_managed_externally, external_url; datasets, charts and dashboards also changed_by_name
//   ("<first> <last>", "" when none: AuditMixinNullable.changed_by_name is str(changed_by)),
//   which their list_columns have and DatabaseRestApi's do not.
//
// ---- Control API (no auth) -----------------------------------------------------------
//   POST   /_control/reset                     forget assets, faults, sessions, Preset tokens, the log
//   POST   /_control/seed {files:{"databases/x.yaml": "<yaml>",…}, passwords?, user?} ->
//          {databases:{uuid:id},datasets:…,charts:…,dashboards:…}; bad bundle -> 422 as import
//   GET    /_control/state -> {databases|datasets|charts|dashboards:[{id,uuid,name,config,
//          changed_by:{id,username,first_name,last_name},changed_on,is_managed_externally,
//          external_url,…}],users:[{id,username,first_name,last_name,email,active,roles:[name],
//          login_count,last_login}],preset_tokens:[{name,user}]}
//   POST   /_control/preset_token {name, secret, user} -> {name, user}: a Preset API token for
//          `user` (a username; unknown -> 400), replacing one of that name; reset forgets them
//   POST   /_control/ui_edit {kind, uuid, changes:{…merged into the YAML…}, user} -> the asset:
//          an edit made in Superset's UI (changed_by = user, changed_on = now)
//   POST   /_control/config {token_lifetime?, refresh_lifetime?, page_size_max?, csrf?, version?,
//          preset_token_lifetime?, security_api?} -> the config
//   POST   /_control/user {username, first_name?, last_name?, email?, password?} -> {id, username}
//          (role Gamma; names may hold any text, as Superset's user form takes)
//   POST   /_control/tokens/expire            every token issued so far (Preset JWTs too) answers 401 Token has expired
//   POST   /_control/faults {method,path (regex),kind: throttle|server_error|drop|drop_after|slow,count,skip,
//          status,retry_after,delay_ms} -> {id}; DELETE /_control/faults
//          throttle -> 429 Retry-After, {"message":"429 Too Many Requests: …"} (guess)
//   GET    /_control/requests -> [{method,path,query,authorization,csrf,cookie,status,fault,
//          multipart_fields}]; DELETE /_control/requests
//   POST   /_control/zip {root?, files:{path:text}} -> application/zip (a test helper)
//   POST   /_control/unzip <zip bytes> -> {files:{name:text}} (names as in the ZIP) or 422
//   POST   /_control/yaml {text} -> the parsed value (a test helper)
'use strict';
const http = require('http');
const crypto = require('crypto');
const { writeZip, readZip } = require('./zip.js');
const { parseRison } = require('./rison.js');
const { parseMultipart } = require('./multipart.js');
const A = require('./assets.js');
const { route } = require('./routes.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const ctx = {
  config: {
    token_lifetime: Number(arg('--token-lifetime', 900)),
    refresh_lifetime: Number(arg('--refresh-lifetime', 30 * 24 * 3600)),
    page_size_max: Number(arg('--page-size-max', 100)),
    csrf: !process.argv.includes('--no-csrf'),
    version: arg('--superset-version', '5.0'),
    preset_token_lifetime: Number(arg('--preset-token-lifetime', 3600)),
    security_api: !process.argv.includes('--no-security-api'),
  },
  secret: crypto.randomBytes(32),
  A, writeZip, readZip, parseRison, parseMultipart,
};

function reset() {
  const ADMIN = { id: 1, name: 'Admin' };
  const GAMMA = { id: 4, name: 'Gamma' };
  const user = (id, username, password, first_name, last_name, roles) => ({
    id, username, password, first_name, last_name, email: `${username}@example.com`, roles, active: true,
    created_on: '2026-01-01T00:00:00', changed_on: '2026-01-01T00:00:00', last_login: null, login_count: 0, fail_login_count: 0,
  });
  ctx.users = [
    user(1, 'admin', 'admin', 'Superset', 'Admin', [ADMIN]),
    user(2, 'alice', 'alice-pw', 'Alice', 'Analyst', [ADMIN]),
    user(3, 'bob', 'bob-pw', 'Bob', 'Builder', [GAMMA]),
  ];
  ctx.presetTokens = new Map();  // API token name -> {secret, user (id)}
  ctx.store = A.emptyStore();
  ctx.sessions = new Map();
  ctx.revoked = new Set();
  ctx.issued = [];
  ctx.faults = [];
  ctx.nextFault = 1;
  ctx.log = [];
}
ctx.reset = reset;
reset();

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    Promise.resolve(route(ctx, req, res, body)).catch((e) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: String(e && e.stack || e) }));
      }
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
