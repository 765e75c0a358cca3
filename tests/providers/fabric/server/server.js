// SPDX-License-Identifier: MIT
// A local Microsoft Fabric REST API for tests: keeps state like Fabric (workspaces,
// their folders and items with definition parts, long-running operations, access
// tokens) and answers with the status codes, headers and body shapes of the real
// service, taken from the recorded exchanges of microsoft/fabric-cicd against a real
// tenant (shared/testdata/fabric-items/fabric-cicd/http_trace.json.gz) and, where
// the recordings are silent, from the official specification
// (shared/testdata/fabric-api/platform/swagger.json). No npm dependencies.
//
//   node server.js [--token-lifetime S] [--retry-after S] [--polls N] [--page-size N]
//                  [--lro trace|always|never] [--sql-endpoint-polls N]
//                  [--tenant T] [--client-id C] [--client-secret S] [--oidc-request-token T]
//
// Listens on two loopback ports and prints `listening <api_port> <ops_port>` on
// stdout when ready (nothing else is ever written to stdout); exits when stdin closes.
// The API port stands for api.fabric.microsoft.com and login.microsoftonline.com;
// the operations port for the workspace's home cluster (Fabric's `home-cluster-uri`,
// df-msit-scus-redirect.analysis.windows.net in the recordings): a long-running
// operation's `Location` points there, a different host:port than the request's.
// Both ports serve every route (as Fabric's hosts do); the log records which one.
//
// Where neither the recordings nor the specification show an answer, it follows
// fabric-cicd's handling and Fabric's documentation, and is marked (guess) below: the
// messages of InvalidToken/TokenExpired, WorkspaceNotFound, OperationNotFound,
// OperationNotSucceeded, OperationHasNoResult, and display names compared without case.
// For workspaces and Git integration the specification lists error codes without their status;
// a code marked (as reported) is not in it but is what users of the real service report from it
// (public scripts and write-ups), with the status they report.
//
// ---- Entra ID (the token endpoint, on the API port) ------------------------------
//   POST /{tenant}/oauth2/v2.0/token   form: grant_type=client_credentials, client_id,
//        scope=https://api.fabric.microsoft.com/.default, and either client_secret or
//        client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer +
//        client_assertion (a value registered for the client as it is, or a GitHub OIDC token
//        matching one of its federated credentials, below)
//     -> 200 {token_type:"Bearer", expires_in, ext_expires_in, access_token}
//        access_token is JWT-shaped (header.payload.signature; payload: aud, iss, iat,
//        nbf, exp, appid, oid, tid), as fabric-cicd decodes `exp` from it.
//     Errors, Entra's shape {error, error_description:"AADSTS…", error_codes:[n],
//        timestamp, trace_id, correlation_id, error_uri}:
//        unknown client -> 400 unauthorized_client (AADSTS700016); wrong secret -> 401
//        invalid_client (AADSTS7000215); unregistered assertion -> 401 invalid_client
//        (AADSTS70021); wrong scope -> 400 invalid_scope (AADSTS70011); another grant ->
//        400 unsupported_grant_type (AADSTS70003). Tokens live --token-lifetime seconds
//        (default 3600).
//     A client's federated credentials ({subject, audience: "api://AzureADTokenExchange",
//        issuer: "https://token.actions.githubusercontent.com"}) accept a GitHub OIDC token from
//        the endpoint below whose sub/aud/iss match one of them: another subject -> 401
//        invalid_client (AADSTS700213); past its exp -> 401 invalid_client (AADSTS700024).
//
// ---- GitHub Actions' OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL), API port ------
//   GET  /_github/oidc/token?subject=repo:o/r:environment:prod&audience=api://AzureADTokenExchange
//        with Authorization: Bearer <--oidc-request-token> (ACTIONS_ID_TOKEN_REQUEST_TOKEN)
//     -> 200 {count, value: "<JWT: iss https://token.actions.githubusercontent.com, sub, aud,
//        iat, nbf, exp (+300 s)>"}; another request token -> 401 {message}. `subject` stands for
//        what GitHub derives from the workflow run (default repo:octo-org/octo-repo:ref:refs/heads/main).
//
// ---- Fabric API (both ports; auth `Authorization: Bearer <access_token>`) ----------
//   No or unknown token -> 401 errorCode InvalidToken (guess); a token past its lifetime or
//   expired through the control API -> 401 errorCode TokenExpired (fabric-cicd
//   refreshes on header x-ms-public-api-error-code: TokenExpired).
//   Every error: {requestId, errorCode, message[, moreDetails:[{errorCode,message}]],
//   isRetriable} plus header x-ms-public-api-error-code: <errorCode>.
//   Every answer: Content-Type application/json; charset=utf-8, RequestId (uuid),
//   Access-Control-Expose-Headers; answers of the API port also request-redirected: true
//   and home-cluster-uri: <ops url>/.
//
//   GET    /v1/workspaces                              {value:[workspace]} (paged)
//   (an unknown workspace -> 404 WorkspaceNotFound (guess))
//   GET    /v1/workspaces/{ws}                         {id, displayName, description, type:"Workspace",
//                                                       capacityId (when it has one), capacityRegion, oneLakeEndpoints:
//                                                       {blobEndpoint, dfsEndpoint}, capacityAssignmentProgress}
//   PATCH  /v1/workspaces/{ws}                         {displayName?, description?} -> 200 workspace
//   POST   /v1/workspaces                              {displayName (at most 256 characters, not "Admin monitoring"),
//          description? (at most 4000), capacityId?} -> 201 {id, displayName, description, type, capacityId (when it
//          has one), capacityRegion} + Location <api>/v1/workspaces/{id}. A display name in use (compared without
//          case) -> 409 WorkspaceNameAlreadyExists (as reported); a capacityId /_control/seed did not list -> 404
//          CapacityNotFound (guess), one seeded with a state other than Active -> 400 CapacityNotActive (guess); with
//          no capacities seeded any uuid is a capacity. A body the spec refuses -> 400 InvalidRequest with moreDetails
//          (the recorded validation error's shape; the code a guess here).
//   DELETE /v1/workspaces/{ws}                         200, empty body: its items, folders and Git connection go with
//          it (a deployment pipeline stage it was assigned to is left without a workspace (guess))
//   POST   /v1/workspaces/{ws}/assignToCapacity        {capacityId} -> 202, no body and no Location (the spec shows no
//          headers and no long-running operation): capacityId is the new one at once, capacityAssignmentProgress
//          Completed; capacity errors as for the create
//   Git integration, per workspace, against a branch's folder seeded with POST /_control/git_remote (below);
//   items are matched by type and display name (without case); the content Git holds of an item is its
//   description and parts. {git} = /v1/workspaces/{ws}/git:
//   GET    {git}/connection -> 200 {gitProviderDetails, gitSyncDetails: {head, lastSyncTime} | null (before the
//          first sync), gitConnectionState: Connected | ConnectedAndInitialized, gitConnectionType: "Full"}; not
//          connected: {gitProviderDetails: null, gitSyncDetails: null, gitConnectionState: "NotConnected"}
//   POST   {git}/connect {gitProviderDetails: {gitProviderType: GitHub | AzureDevOps, repositoryName, branchName,
//          directoryName, ownerName (GitHub) | organizationName + projectName (AzureDevOps)}, myGitCredentials?:
//          {source: ConfiguredConnection, connectionId}} -> 200, empty body; Connected. Refused, in this order: a
//          body the spec refuses -> 400 InvalidRequest (guess); already connected -> 409 WorkspaceAlreadyConnectedToGit
//          (status as reported); no capacity -> 400 WorkspaceHasNoCapacityAssigned; credentials other than a configured
//          connection (every caller here is a service principal): GitHub -> 400 InvalidInput (as reported),
//          AzureDevOps -> 400 PrincipalTypeNotSupported; no seeded remote of that provider, owner (organization and
//          project), repository (these without case), branch and folder -> 404 GitProviderResourceNotFound (as
//          reported: the folder must exist on the branch)
//   POST   {git}/initializeConnection {initializationStrategy?: None | PreferRemote | PreferWorkspace}
//          -> 200 {requiredAction, workspaceHead (null before the first sync), remoteCommitHash}, or (--lro always,
//          or an operation_failed fault) 202 + Location, x-ms-operation-id, Retry-After, the operation's result
//          being that body; ConnectedAndInitialized. requiredAction: None when the head is the remote's commit, or
//          when both sides are empty (the head becomes the remote's commit); UpdateFromGit when the remote has items
//          and the workspace none, or both have and the strategy is PreferRemote; CommitToGit when only the
//          workspace has items, or both and PreferWorkspace. Both with items and strategy None -> 400
//          MissingInitializationPolicy; not connected -> 400 WorkspaceNotConnectedToGit (status as reported); already
//          initialized -> 409 WorkspaceGitConnectionAlreadyInitialized (guess); no capacity -> 400
//          WorkspaceHasNoCapacityAssigned
//   POST   {git}/updateFromGit {remoteCommitHash, workspaceHead?, conflictResolution?: {conflictResolutionType:
//          Workspace, conflictResolutionPolicy: PreferRemote | PreferWorkspace}, options?: {allowOverrideItems}}
//          -> 202 + Location <ops>/v1/operations/{op}, x-ms-operation-id, Retry-After (--lro never: 200, done at
//          once); the operation Succeeds without a result. Then each remote item creates or overwrites the
//          workspace's item (display name, description, parts; its folder made by path), an item the last sync
//          brought that the remote no longer holds is deleted unless the workspace changed it, and the head is
//          remoteCommitHash (lastSyncTime now). A conflict: an item on both sides whose content differs and changed
//          on both since the last sync (never synced counts as changed); PreferWorkspace keeps the workspace's.
//          Refused: not connected -> 400 WorkspaceNotConnectedToGit; not initialized -> 400
//          WorkspaceGitConnectionNotInitialized (guess); an update or initialize still running -> 409
//          WorkspacePreviousOperationInProgress (status a guess); workspaceHead not the head (absent only before the
//          first sync) -> 400 WorkspaceHeadMismatch (status as reported); remoteCommitHash not the branch's commit
//          -> 400 RemoteCommitHashMismatch (guess); two remote items of one type and name -> 400
//          PotentialDuplicateDisplayNameAndType; conflicts without conflictResolution -> 400
//          MissingWorkspaceConflictResolution (as reported); conflicts resolved PreferRemote without
//          options.allowOverrideItems true -> 400 OverrideItemsNotAllowed (as reported)
//   POST   {git}/disconnect -> 200, empty body; NotConnected; not connected -> 400 WorkspaceNotConnectedToGit
//   GET    /v1/workspaces/{ws}/items?type=&rootFolderId=&recursive=&continuationToken=
//          -> {value:[{id, type, displayName, description, workspaceId, folderId?, sensitivityLabel:{id}}],
//              continuationToken?, continuationUri?}   (pages of --page-size, default 100; the last
//              page has neither key; a Lakehouse, MirroredDatabase or SQLDatabase brings a SQLEndpoint
//              item of its name, an Eventhouse a KQLDatabase: deleted and moved with it)
//   POST   /v1/workspaces/{ws}/items                   {displayName, type, description?, folderId? ("" = root),
//          definition?:{parts:[{path, payload, payloadType:"InlineBase64"}]}, creationPayload?}
//          -> 201 {id, type, displayName, description, workspaceId[, folderId]} + ETag,
//             or 202 (no body) + Location <ops>/v1/operations/{op}, x-ms-operation-id, Retry-After, ETag
//             (no ETag for Report and SemanticModel); the item exists only once the operation
//             Succeeded; its result is the 201 body (Report, SemanticModel: with sensitivityLabel).
//             Which types answer 202 (--lro trace, as recorded): every type but DataPipeline, Dataflow,
//             KQLQueryset, MirroredDatabase, PaginatedReport, Reflex, DataBuildToolJob and Lakehouse
//             (SYNC_TYPES), which answer 201; --lro always|never makes every create one or the other.
//          Display name taken by an item of the same type (case-insensitive (guess); pending creates count)
//             -> 400 ItemDisplayNameAlreadyInUse "Requested '<name>' is already in use";
//          unknown folderId -> 404 FolderNotFound; no type/displayName -> 400 InvalidRequest;
//          a part that is not InlineBase64 -> 400 CorruptedPayload.
//   GET    /v1/workspaces/{ws}/items/{id}              the item (listing shape); 404 ItemNotFound
//   PATCH  /v1/workspaces/{ws}/items/{id}              {displayName?, description?} -> 200 the item
//   DELETE /v1/workspaces/{ws}/items/{id}              200, empty body
//   POST   /v1/workspaces/{ws}/items/{id}/move         {targetFolderId?} -> 200 {value:[the item, its SQLEndpoint]}
//          (the create shape with folderId; the child moves with its item)
//   POST   /v1/workspaces/{ws}/items/{id}/getDefinition[?format=]
//          -> 202 LRO; result {definition:{parts:[…the item's parts…, {path:".platform",…}]}}
//             (.platform generated as Fabric does: $schema, metadata {type, displayName,
//             description}, config {version "2.0", logicalId all zeros})
//   POST   /v1/workspaces/{ws}/items/{id}/updateDefinition[?updateMetadata=true]
//          {definition:{parts}} -> 202 LRO without result; on success the parts are replaced
//          (.platform is not stored; with updateMetadata=true its metadata.displayName and
//          metadata.description are applied)
//   GET    /v1/workspaces/{ws}/folders?rootFolderId=&recursive=&continuationToken=  {value:[{id, displayName, workspaceId,
//                                                        parentFolderId?}], continuationToken?, continuationUri?}
//   POST   /v1/workspaces/{ws}/folders                 {displayName, parentFolderId?} -> 201 folder
//          + Location <api>/v1/workspaces/{ws}/folders/{id}; same name under the same parent -> 409
//          FolderDisplayNameAlreadyInUse; unknown parent -> 404 FolderNotFound
//   GET/PATCH/DELETE /v1/workspaces/{ws}/folders/{id}  (DELETE of a folder holding items or
//          folders -> 400 FolderNotEmpty);  POST /v1/workspaces/{ws}/folders/{id}/move {targetFolderId?}
//   GET    /v1/workspaces/{ws}/lakehouses/{id}         the item + properties {oneLakeTablesPath,
//          oneLakeFilesPath, sqlEndpointProperties {connectionString, id, provisioningStatus}
//          [, defaultSchema]}: provisioningStatus InProgress (connectionString and id null) for the
//          first --sql-endpoint-polls reads (default 0), then Success
//   GET    /v1/workspaces/{ws}/eventhouses/{id}        + properties {queryServiceUri, ingestionServiceUri,
//                                                        databasesItemIds (always [], as recorded), minimumConsumptionUnits}
//   GET    /v1/workspaces/{ws}/kqlDatabases/{id}       + properties {parentEventhouseItemId, queryServiceUri
//                                                        (its eventhouse's), ingestionServiceUri, databaseType}
//   GET    /v1/workspaces/{ws}/warehouses/{id}         + properties {connectionInfo, connectionString,
//                                                        createdDate, lastUpdatedTime, collationType, creationMode}
//   (an id of another type -> 404 ItemNotFound)
//
// ---- Long-running operations (served by both ports; their Location is the ops port) ----
//   GET    /v1/deploymentPipelines/{dp} | /stages | /stages/{stage} | /stages/{stage}/items -> 200 (shapes of the spec's
//          examples; a stage's items with sourceItemId/targetItemId of the pairs a deploy made)
//   POST   /v1/deploymentPipelines/{dp}/deploy {sourceStageId, targetStageId, note?, items?:[{sourceItemId,
//          itemType}]} -> 202 Location + x-ms-operation-id + deployment-id + Retry-After (the spec's DeployAll
//          example); the next stage only (or an earlier empty one), else 400 InvalidInput (guess); unknown
//          pipeline or stage -> 404 EntityNotFound (guess). The operation's result is the deployment
//          (DeploymentPipelineOperationExtendedInfo: id, type Deploy, status, stages, executionPlan.steps).
//   GET    /v1/operations/{op}  -> 200 {status, createdTimeUtc, lastUpdatedTimeUtc, percentComplete, error}
//          Running (percentComplete null) with Location <ops>/v1/operations/{op}, x-ms-operation-id,
//          Retry-After (--retry-after, default 1) for the first --polls polls (default 1); then the
//          operation's write happens and it is Succeeded (percentComplete 100, Location
//          <ops>/v1/operations/{op}/result when it has a result, none otherwise, no Retry-After), or
//          Failed with error {errorCode, message} (an operation_failed fault, or a write that is
//          no longer possible, e.g. the name was taken meanwhile). Times as Fabric writes them:
//          "2026-06-25T11:15:43.5469603" (UTC, seven fraction digits, no zone).
//          Unknown id -> 404 OperationNotFound (guess).
//   GET    /v1/operations/{op}/result -> 200 the result (Content-Type application/json);
//          before success -> 400 OperationNotSucceeded (guess); without result -> 400
//          OperationHasNoResult (guess).
//
// ---- Control API (no auth, JSON; either port) ------------------------------------------
//   POST   /_control/reset                 forget all state, faults, clients, tokens and the log
//   POST   /_control/config                {polls?, retry_after?, page_size?, token_lifetime?,
//                                           lro?: "trace"|"always"|"never", sql_endpoint_polls?} -> config
//   POST   /_control/seed                  {capacities:[{id, displayName?, state?: "Active"}] (the tenant's: once
//            any are seeded, only these are capacities), workspaces:[{id?, displayName?, description?,
//            capacityId? (default a random uuid; null: no capacity),
//            folders:[{id?, displayName, parent?: "<path of a folder seeded before, a/b>" | parentFolderId?}],
//            items:[{id?, type, displayName, description?, folder?: "a/b" | folderId?,
//                    parts:[{path, text? | base64?}], properties?}]}],
//            clients:[{tenant?, clientId, secret?, assertions?:[…], federated?:[{subject, audience?, issuer?}]}]}
//            -> {workspaces:[{id, folders:{"a/b": id}, items:{"<Type>/<displayName>": id}}]}
//            (a seeded item exists at once, with no operation and no name check; it brings its
//            child item as a created one does)
//            pipelines:[{id?, displayName?, stages:[{id?, displayName?, workspace?: "<workspace id>"}]}]
//            -> also {pipelines:[{id, stages:[ids in order]}]} (deployment pipelines, below)
//   POST   /_control/git_remote            {gitProviderType: "GitHub"|"AzureDevOps", owner|ownerName (GitHub) |
//            organization|organizationName + project|projectName (AzureDevOps), repositoryName, branchName,
//            directoryName ("" = the root; "/a/" = "a"), commit: "<40 hex>", items:[{type, displayName,
//            description?, folder?: "a/b", parts:[{path, text? | base64?}]}]} -> {commit, items: <count>}
//            a push: the branch's folder holds this commit and these items from now on (replacing what it held)
//   POST   /_control/clients               {tenant?, clientId, secret?, assertions?:[…] (accepted as they are),
//                                           federated?:[{subject, audience?, issuer?}]} -> 201
//   POST   /_control/tokens/expire         every token issued so far answers TokenExpired
//   GET    /_control/state?workspace=      {workspaces:[{id, displayName, description, capacityId, git: null |
//            {gitProviderDetails, gitSyncDetails, gitConnectionState, gitConnectionType, connectionId}, folders:[{id,
//            displayName, parentFolderId, path}], items:[{id, type, displayName, description, folderId,
//            parts:[{path, base64, text (when UTF-8)}]}]}], operations:[{id, kind, status, polls}],
//            pipelines:[{id, stages:[…], deployments:[{id, sourceStageId, targetStageId, note, status}]}],
//            gitRemotes:[{gitProviderType, ownerName | organizationName + projectName, repositoryName, branchName,
//            directoryName, commit, items:[{type, displayName, folder}]}], capacities: null | [{id, displayName, state}]}
//   POST   /_control/portal_edit           {workspace, item, displayName?, description?, folder?: "a/b" ("" = the
//            root; made where missing), parts?:[{path, text? | base64? | delete: true}]}  a user's edit in the
//            Fabric UI (a folder move takes the item's child along) -> the item
//   POST   /_control/faults                {method:"*"|"GET"…, path:"<regex on the path>", host:"*"|"api"|"ops",
//            kind:"throttle"|"server_error"|"drop"|"drop_after_write"|"operation_failed"|"token_expired"|
//                 "error"|"slow",
//            count:1 (-1 = always), skip:0, status (server_error: 500; error: 400), retry_after:1
//            (throttle; null = no header), error_code, message, delay_ms:2000} -> {id}
//            throttle: 429 {requestId, errorCode:"RequestBlocked" (or error_code), message:"Request is
//              blocked by the upstream service until: M/D/YYYY h:mm:ss AM (UTC)"} + Retry-After;
//            server_error: `status` with errorCode InternalServerError (isRetriable true), not processed;
//            drop: the socket is closed, not processed; drop_after_write: processed, then the socket
//              is closed with no answer (an operation it started completes at once, as Fabric's
//              would while nobody polls it);
//            operation_failed: the request is accepted (202, a sync create or initializeConnection too) and its operation
//              ends Failed with {errorCode: error_code||"OperationFailed", message}, writing nothing;
//            token_expired: 401 TokenExpired for the matching request; error: `status` with
//              error_code/message; slow: waits delay_ms, then answers.
//   DELETE /_control/faults                remove every fault
//   GET    /_control/requests              the log: [{method, path, query, host:"api"|"ops", authorization
//                                           (bool: a header was sent), body, status, fault}]
//   DELETE /_control/requests              clear the log
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');

// ---- options ---------------------------------------------------------------
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const FABRIC_SCOPE = 'https://api.fabric.microsoft.com/.default';
const DEFAULT_TENANT = option('tenant', '72f988bf-86f1-41af-91ab-2d7cd011db47');
const DEFAULT_CLIENT = option('client-id', '');
const DEFAULT_SECRET = option('client-secret', '');
const OIDC_REQUEST_TOKEN = option('oidc-request-token', 'github-oidc-request-token');
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
const SENSITIVITY_LABEL = '9fbde396-1a24-4c79-8edf-9254a0f35055';
const PLATFORM_SCHEMA = 'https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json';
// Types whose create answered 201 at once in the recordings (every other type answered 202).
const SYNC_TYPES = new Set(['DataPipeline', 'Dataflow', 'KQLQueryset', 'MirroredDatabase', 'PaginatedReport',
  'Reflex', 'DataBuildToolJob', 'Lakehouse']);
// Power BI's types: their 202 carries no ETag and their operation's result has the
// sensitivity label (as recorded).
const POWER_BI_TYPES = new Set(['Report', 'SemanticModel']);
// Types that bring a child item of the same name (as the recorded listings show): a SQL
// analytics endpoint, or an eventhouse's default KQL database.
const CHILD_TYPE = { Lakehouse: 'SQLEndpoint', MirroredDatabase: 'SQLEndpoint', SQLDatabase: 'SQLEndpoint', Eventhouse: 'KQLDatabase' };

function initialConfig() {
  return {
    polls: Number(option('polls', '1')),
    retry_after: Number(option('retry-after', '1')),
    page_size: Number(option('page-size', '100')),
    token_lifetime: Number(option('token-lifetime', '3600')),
    lro: option('lro', 'trace'),
    sql_endpoint_polls: Number(option('sql-endpoint-polls', '0')),
  };
}

// ---- state -----------------------------------------------------------------
let config;
let state;
let faults;
let requestLog;
let nextFaultId;
let apiBase = '';
let opsBase = '';

function reset() {
  config = initialConfig();
  state = { workspaces: new Map(), pipelines: new Map(), operations: new Map(), clients: new Map(), tokens: new Map(), oidcTokens: new Set(),
    capacities: null, remotes: new Map() };
  faults = [];
  requestLog = [];
  nextFaultId = 1;
  if (DEFAULT_CLIENT) addClient({ clientId: DEFAULT_CLIENT, secret: DEFAULT_SECRET });
}

function uuid() { return crypto.randomUUID(); }

// Fabric's operation times: "2026-06-25T11:15:43.5469603" (UTC, seven fraction digits).
function fabricTime(ms) { return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000'); }

function addClient(c) {
  const entry = {
    clientId: c.clientId, tenant: c.tenant || DEFAULT_TENANT,
    secret: c.secret === undefined ? null : c.secret, assertions: new Set(c.assertions || []),
    federated: (c.federated || []).map((f) => ({ subject: f.subject, audience: f.audience || FEDERATION_AUDIENCE, issuer: f.issuer || GITHUB_ISSUER })),
  };
  state.clients.set(c.clientId, entry);
  return entry;
}

function workspace(id, w = {}) {
  let ws = state.workspaces.get(id);
  if (!ws) {
    ws = {
      id, displayName: w.displayName || `workspace-${id.slice(0, 8)}`, description: w.description || '',
      capacityId: w.capacityId === undefined ? uuid() : w.capacityId, items: new Map(), folders: new Map(), git: null,
    };
    state.workspaces.set(id, ws);
  }
  return ws;
}

function sameName(a, b) { return a.toLowerCase() === b.toLowerCase(); }

function nameTaken(ws, type, displayName, exceptId) {
  for (const it of ws.items.values()) {
    if (it.id !== exceptId && it.type === type && sameName(it.displayName, displayName)) return true;
  }
  for (const op of state.operations.values()) {
    if (op.kind === 'create' && op.status === 'Running' && op.workspaceId === ws.id &&
        op.request.type === type && sameName(op.request.displayName, displayName)) return true;
  }
  return false;
}

function decodeParts(parts) {
  return (parts || []).map((p) => ({ path: p.path, bytes: Buffer.from(p.payload || '', 'base64') }));
}

function seedParts(parts) {
  return (parts || []).map((p) => ({
    path: p.path, bytes: p.base64 !== undefined ? Buffer.from(p.base64, 'base64') : Buffer.from(p.text || '', 'utf8'),
  }));
}

function addItem(ws, fields) {
  const item = {
    id: fields.id || uuid(), type: fields.type, displayName: fields.displayName,
    description: fields.description || '', folderId: fields.folderId || null,
    parts: fields.parts.filter((p) => p.path !== '.platform'), creationPayload: fields.creationPayload || null,
    properties: fields.properties || null, created: Date.now(), reads: 0, childId: null, parentId: null,
  };
  ws.items.set(item.id, item);
  if (CHILD_TYPE[item.type]) {
    const child = { id: uuid(), type: CHILD_TYPE[item.type], displayName: item.displayName, description: '',
      folderId: item.folderId, parts: [], creationPayload: null, properties: null, created: Date.now(), reads: 0,
      childId: null, parentId: item.id };
    ws.items.set(child.id, child);
    item.childId = child.id;
  }
  return item;
}

// An item and the child it brought.
function family(ws, item) { return [item, ...(item.childId && ws.items.has(item.childId) ? [ws.items.get(item.childId)] : [])]; }

function removeItem(ws, item) {
  for (const x of family(ws, item)) ws.items.delete(x.id);
}

function folderPath(ws, f) {
  const names = [];
  for (let cur = f; cur; cur = cur.parentFolderId ? ws.folders.get(cur.parentFolderId) : null) names.unshift(cur.displayName);
  return names.join('/');
}

function folderByPath(ws, path) {
  for (const f of ws.folders.values()) if (folderPath(ws, f) === path) return f;
  return null;
}

// The id of the folder at `path` ("a/b"), made with its parents where missing; null for "".
function ensureFolderPath(ws, path) {
  if (!path) return null;
  let parent = null;
  let at = '';
  for (const name of path.split('/')) {
    at = at ? `${at}/${name}` : name;
    let f = folderByPath(ws, at);
    if (!f) {
      f = { id: uuid(), displayName: name, parentFolderId: parent };
      ws.folders.set(f.id, f);
    }
    parent = f.id;
  }
  return parent;
}

// ---- Fabric shapes -----------------------------------------------------------
// The create answer (Workspace): no capacityId when the workspace has none, as the spec's
// CreateWorkspaceRequiredOnly example shows.
function workspaceCreatedJson(ws) {
  const j = { id: ws.id, displayName: ws.displayName, description: ws.description, type: 'Workspace' };
  if (ws.capacityId) j.capacityId = ws.capacityId;
  j.capacityRegion = 'West Central US';
  return j;
}

// GET and the listing (WorkspaceInfo).
function workspaceJson(ws) {
  return {
    ...workspaceCreatedJson(ws),
    oneLakeEndpoints: {
      blobEndpoint: 'https://westcentralus-onelake.blob.fabric.microsoft.com',
      dfsEndpoint: 'https://westcentralus-onelake.dfs.fabric.microsoft.com',
    },
    capacityAssignmentProgress: 'Completed',
  };
}

// The create answer and an operation's result: no sensitivity label (as recorded),
// but for Power BI's types' results.
function createdJson(ws, it) {
  const j = { id: it.id, type: it.type, displayName: it.displayName, description: it.description, workspaceId: ws.id };
  if (it.folderId) j.folderId = it.folderId;
  return j;
}

// Listing and GET: with the tenant's default sensitivity label (as recorded).
function itemJson(ws, it) {
  return { ...createdJson(ws, it), sensitivityLabel: { id: SENSITIVITY_LABEL } };
}

function folderJson(ws, f) {
  const j = { id: f.id, displayName: f.displayName, workspaceId: ws.id };
  if (f.parentFolderId) j.parentFolderId = f.parentFolderId;
  return j;
}

function platformPart(it) {
  const text = JSON.stringify({
    $schema: PLATFORM_SCHEMA,
    metadata: { type: it.type, displayName: it.displayName, description: it.description },
    config: { version: '2.0', logicalId: '00000000-0000-0000-0000-000000000000' },
  }, null, 2);
  return { path: '.platform', payload: Buffer.from(text).toString('base64'), payloadType: 'InlineBase64' };
}

function definitionJson(it) {
  const parts = it.parts.map((p) => ({ path: p.path, payload: p.bytes.toString('base64'), payloadType: 'InlineBase64' }));
  parts.push(platformPart(it));
  return { definition: { parts } };
}

function sqlHost(ws) { return `${crypto.createHash('sha1').update(ws.id).digest('hex').slice(0, 26)}.datawarehouse.fabric.microsoft.com`; }

function propertiesJson(ws, it) {
  const onelake = `https://onelake.dfs.fabric.microsoft.com/${ws.id}/${it.id}`;
  const kusto = crypto.createHash('sha1').update(it.id).digest('hex').slice(0, 18);
  switch (it.type) {
    case 'Lakehouse': {
      const ready = it.reads > config.sql_endpoint_polls;
      const p = {
        oneLakeTablesPath: `${onelake}/Tables`, oneLakeFilesPath: `${onelake}/Files`,
        sqlEndpointProperties: ready
          ? { connectionString: sqlHost(ws), id: it.childId, provisioningStatus: 'Success' }
          : { connectionString: null, id: null, provisioningStatus: 'InProgress' },
      };
      if (it.creationPayload && it.creationPayload.enableSchemas) p.defaultSchema = 'dbo';
      return p;
    }
    case 'Eventhouse':
      return {
        queryServiceUri: `https://trd-${kusto}.z0.kusto.fabric.microsoft.com`,
        ingestionServiceUri: `https://ingest-trd-${kusto}.z0.kusto.fabric.microsoft.com`,
        databasesItemIds: [],  // as every recorded answer has it, its own database listed or not
        minimumConsumptionUnits: 0.0,
      };
    case 'KQLDatabase': {
      const parentId = it.parentId || (it.creationPayload && it.creationPayload.parentEventhouseItemId) || null;
      const parent = parentId ? ws.items.get(parentId) : null;
      const uris = parent ? propertiesJson(ws, parent) : { queryServiceUri: null, ingestionServiceUri: null };
      return {
        parentEventhouseItemId: parentId, queryServiceUri: uris.queryServiceUri, ingestionServiceUri: uris.ingestionServiceUri,
        databaseType: (it.creationPayload && it.creationPayload.databaseType) || 'ReadWrite',
      };
    }
    case 'Warehouse':
      return {
        connectionInfo: sqlHost(ws), connectionString: sqlHost(ws),
        createdDate: fabricTime(it.created), lastUpdatedTime: fabricTime(it.created),
        collationType: (it.creationPayload && it.creationPayload.defaultCollation) || 'Latin1_General_100_BIN2_UTF8',
        creationMode: 'New',
      };
    default:
      return {};
  }
}

// ---- HTTP plumbing ---------------------------------------------------------
function baseHeaders(c) {
  const h = { 'Content-Type': 'application/json; charset=utf-8', RequestId: c.requestId, 'Access-Control-Expose-Headers': 'RequestId' };
  if (c.host === 'api') Object.assign(h, { 'request-redirected': 'true', 'home-cluster-uri': `${opsBase}/` });
  return h;
}

function send(c, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  c.res.writeHead(status, { ...baseHeaders(c), 'Content-Length': Buffer.byteLength(text), ...headers });
  c.res.end(text);
  return status;
}

function fabricError(c, status, errorCode, message, extra = {}, headers = {}) {
  const body = { requestId: c.requestId, errorCode, message };
  if (extra.moreDetails) body.moreDetails = extra.moreDetails;
  body.isRetriable = Boolean(extra.isRetriable);
  return send(c, status, body, { 'x-ms-public-api-error-code': errorCode, ...headers });
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseJson(text) {
  if (!text) return {};
  try { return JSON.parse(text); } catch { return undefined; }
}

// A page of `list` from ?continuationToken= (an opaque offset), with Fabric's two keys.
function page(c, list, toJson) {
  let offset = 0;
  const token = c.query.get('continuationToken');
  if (token) offset = Number.parseInt(Buffer.from(decodeURIComponent(token), 'base64').toString('utf8').split(',')[1], 10) || 0;
  const size = Math.max(1, config.page_size);
  const body = { value: list.slice(offset, offset + size).map(toJson) };
  if (offset + size < list.length) {
    const next = Buffer.from(`,${offset + size},${list.length}`).toString('base64');
    const uri = new URL(c.url.pathname, apiBase);
    for (const [k, v] of c.query) if (k !== 'continuationToken') uri.searchParams.set(k, v);
    uri.searchParams.set('continuationToken', next);
    body.continuationToken = encodeURIComponent(next);
    body.continuationUri = uri.toString();
  }
  return send(c, 200, body);
}

// ---- long-running operations ------------------------------------------------
// kind: create | getDefinition | updateDefinition | deploy | initializeConnection | updateFromGit.
// `effect()` makes the write and returns
// {result} or {error:{errorCode,message}}; it runs when a poll finds no polls left.
function startOperation(c, kind, ws, request, effect, failWith, etag = true, headers = {}) {
  const now = Date.now();
  const op = {
    id: uuid(), kind, workspaceId: ws.id, request, effect, status: 'Running', pollsLeft: config.polls,
    created: now, updated: now, result: undefined, error: null, failWith: failWith || null,
  };
  state.operations.set(op.id, op);
  c.operation = op;
  send(c, 202, undefined, {
    ...(etag ? { ETag: '""' } : {}), Location: `${opsBase}/v1/operations/${op.id}`, 'x-ms-operation-id': op.id,
    'Retry-After': String(config.retry_after), ...headers,
  });
  return 202;
}

function operationJson(op) {
  return {
    status: op.status, createdTimeUtc: fabricTime(op.created), lastUpdatedTimeUtc: fabricTime(op.updated),
    percentComplete: op.status === 'Succeeded' ? 100 : null, error: op.error,
  };
}

function advance(op) {
  if (op.status !== 'Running') return;
  if (op.pollsLeft > 0) { op.pollsLeft--; return; }
  op.updated = Date.now();
  if (op.failWith) {
    op.status = 'Failed';
    op.error = op.failWith;
    return;
  }
  const outcome = op.effect();
  if (outcome.error) {
    op.status = 'Failed';
    op.error = outcome.error;
  } else {
    op.status = 'Succeeded';
    op.result = outcome.result;
  }
}

// ---- routes ----------------------------------------------------------------
const routes = [];
function route(method, pattern, handler) {
  const re = new RegExp('^' + pattern.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)') + '$');
  routes.push({ method, re, handler });
}

function needWorkspace(c) {
  const ws = state.workspaces.get(c.params.ws);
  if (!ws) fabricError(c, 404, 'WorkspaceNotFound', 'The requested workspace was not found');
  return ws;
}

function needItem(c, ws, type) {
  const it = ws.items.get(c.params.id);
  if (!it || (type && it.type !== type)) {
    fabricError(c, 404, 'ItemNotFound', 'The requested item was not found');
    return null;
  }
  return it;
}

function needFolder(c, ws, id) {
  const f = ws.folders.get(id);
  if (!f) fabricError(c, 404, 'FolderNotFound', 'The requested folder was not found in the workspace');
  return f;
}

function sortedItems(ws) { return [...ws.items.values()]; }

route('GET', '/v1/workspaces', (c) => page(c, [...state.workspaces.values()], workspaceJson));

route('GET', '/v1/workspaces/{ws}', (c) => {
  const ws = needWorkspace(c);
  return ws ? send(c, 200, workspaceJson(ws)) : 404;
});

route('PATCH', '/v1/workspaces/{ws}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  if (c.body.displayName !== undefined) ws.displayName = String(c.body.displayName);
  if (c.body.description !== undefined) ws.description = String(c.body.description);
  return send(c, 200, workspaceJson(ws));
});

// ---- workspaces: create, delete, capacity ----------------------------------------------
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A request body the spec refuses: the recorded validation error's shape (the code is a guess
// for these routes).
function invalidRequest(c, message) {
  return fabricError(c, 400, 'InvalidRequest', 'The request could not be processed due to missing or invalid information',
    { moreDetails: [{ errorCode: 'RequestBodyValidationFailed', message }] });
}

// 0 when `id` names a capacity the tenant has (any uuid unless /_control/seed listed
// capacities), else the status of the error answered.
function capacityProblem(c, id) {
  if (typeof id !== 'string' || !UUID_RE.test(id)) return invalidRequest(c, 'capacityId must be a uuid');
  if (state.capacities === null) return 0;
  const cap = state.capacities.get(id.toLowerCase());
  if (!cap) return fabricError(c, 404, 'CapacityNotFound', 'The requested capacity was not found');  // (guess)
  if (cap.state !== 'Active') return fabricError(c, 400, 'CapacityNotActive', 'The requested capacity is not active');  // (guess)
  return 0;
}

route('POST', '/v1/workspaces', (c) => {
  const { displayName, description, capacityId } = c.body;
  if (typeof displayName !== 'string' || !displayName.trim()) return invalidRequest(c, 'displayName is required');
  if (displayName.length > 256) return invalidRequest(c, 'displayName cannot contain more than 256 characters');
  if (sameName(displayName.trim(), 'Admin monitoring')) return invalidRequest(c, '"Admin monitoring" is a reserved workspace name');
  if (description !== undefined && (typeof description !== 'string' || description.length > 4000)) {
    return invalidRequest(c, 'description cannot contain more than 4000 characters');
  }
  if (capacityId !== undefined) {
    const bad = capacityProblem(c, capacityId);
    if (bad) return bad;
  }
  if ([...state.workspaces.values()].some((w) => sameName(w.displayName, displayName))) {
    return fabricError(c, 409, 'WorkspaceNameAlreadyExists', 'Workspace name already exists');
  }
  const ws = workspace(uuid(), { displayName, description: description || '', capacityId: capacityId || null });
  return send(c, 201, workspaceCreatedJson(ws), { Location: `${apiBase}/v1/workspaces/${ws.id}` });
});

route('DELETE', '/v1/workspaces/{ws}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  state.workspaces.delete(ws.id);  // its items, folders and git connection with it
  for (const p of state.pipelines.values()) {
    for (const st of p.stages) if (st.workspaceId === ws.id) st.workspaceId = null;  // (guess) the stage is unassigned
  }
  return send(c, 200, undefined);
});

route('POST', '/v1/workspaces/{ws}/assignToCapacity', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  if (c.body.capacityId === undefined) return invalidRequest(c, 'capacityId is required');
  const bad = capacityProblem(c, c.body.capacityId);
  if (bad) return bad;
  ws.capacityId = c.body.capacityId;  // at once: capacityAssignmentProgress is Completed on the next GET
  return send(c, 202, undefined);
});

// ---- Git integration -------------------------------------------------------------------
// A workspace connects to a folder of a branch seeded through /_control/git_remote. Items are
// matched by type and display name (without case); `synced` keeps the content digest of every
// item as the last update from Git left it, which tells a workspace edit from a remote one.
const GIT_PROVIDERS = new Set(['GitHub', 'AzureDevOps']);

function gitDirectory(d) { return String(d || '').replace(/^\/+|\/+$/g, ''); }

// The branch folder a connection or a seeded remote names: provider, owner (or organization and
// project) and repository without case; branch and folder as they are.
function remoteKey(d) {
  const who = d.gitProviderType === 'GitHub' ? [d.ownerName] : [d.organizationName, d.projectName];
  return JSON.stringify([d.gitProviderType, ...who.map((x) => String(x || '').toLowerCase()),
    String(d.repositoryName || '').toLowerCase(), String(d.branchName || ''), gitDirectory(d.directoryName)]);
}

// '' when `d` is a GitProviderDetails the spec accepts (GitHubDetails or AzureDevOpsDetails).
function providerProblem(d) {
  if (!d || typeof d !== 'object') return 'gitProviderDetails is required';
  if (!GIT_PROVIDERS.has(d.gitProviderType)) return 'gitProviderType must be GitHub or AzureDevOps';
  const fields = [['repositoryName', 128], ['branchName', 250], ['directoryName', 256]];
  if (d.gitProviderType === 'GitHub') fields.push(['ownerName', 100]);
  else fields.push(['organizationName', 100], ['projectName', 100]);
  for (const [k, max] of fields) {
    if (typeof d[k] !== 'string' || d[k].length > max || (k !== 'directoryName' && !d[k])) {
      return `${k} is required, at most ${max} characters`;
    }
  }
  if (d.customDomainName !== undefined && (typeof d.customDomainName !== 'string' || d.customDomainName.length > 100)) {
    return 'customDomainName is at most 100 characters';
  }
  return '';
}

function providerJson(d) {
  const j = d.gitProviderType === 'GitHub' ? { ownerName: d.ownerName }
    : { organizationName: d.organizationName, projectName: d.projectName };
  Object.assign(j, { gitProviderType: d.gitProviderType, repositoryName: d.repositoryName, branchName: d.branchName,
    directoryName: d.directoryName });
  if (d.gitProviderType === 'GitHub' && d.customDomainName) j.customDomainName = d.customDomainName;
  return j;
}

function gitConnectionJson(ws) {
  const g = ws.git;
  if (!g) return { gitProviderDetails: null, gitSyncDetails: null, gitConnectionState: 'NotConnected' };
  return {
    gitProviderDetails: g.provider, gitSyncDetails: g.head ? { head: g.head, lastSyncTime: g.lastSyncTime } : null,
    gitConnectionState: g.initialized ? 'ConnectedAndInitialized' : 'Connected', gitConnectionType: 'Full',
  };
}

// "2021-11-20T09:26:43.153", as the spec's example writes a sync time.
function syncTime() { return new Date().toISOString().replace(/Z$/, ''); }

function gitKey(type, displayName) { return `${type}/${displayName.toLowerCase()}`; }

// What Git holds of an item: its description and its parts (.platform is generated).
function contentDigest(description, parts) {
  const sorted = parts.filter((p) => p.path !== '.platform').map((p) => [p.path, p.bytes.toString('base64')])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return crypto.createHash('sha256').update(JSON.stringify([description || '', sorted])).digest('hex');
}

// The items Git integration tracks: not the children an item brings (its SQL endpoint).
function gitItems(ws) { return [...ws.items.values()].filter((it) => !it.parentId); }

function needGit(c, ws) {
  if (!ws.git) fabricError(c, 400, 'WorkspaceNotConnectedToGit', 'Workspace is not connected to git');
  return ws.git;
}

function noCapacity(c, ws) {
  return ws.capacityId ? 0 : fabricError(c, 400, 'WorkspaceHasNoCapacityAssigned', 'No capacity assigned to workspace');
}

function gitBusy(ws) {
  return [...state.operations.values()].some((op) => op.status === 'Running' && op.workspaceId === ws.id &&
    (op.kind === 'updateFromGit' || op.kind === 'initializeConnection'));
}

route('GET', '/v1/workspaces/{ws}/git/connection', (c) => {
  const ws = needWorkspace(c);
  return ws ? send(c, 200, gitConnectionJson(ws)) : 404;
});

route('POST', '/v1/workspaces/{ws}/git/connect', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const d = c.body.gitProviderDetails;
  const problem = providerProblem(d);
  if (problem) return invalidRequest(c, problem);
  const cred = c.body.myGitCredentials;
  if (cred !== undefined && cred !== null) {
    if (typeof cred !== 'object' || !['ConfiguredConnection', 'Automatic', 'None'].includes(cred.source)) {
      return invalidRequest(c, 'myGitCredentials.source must be ConfiguredConnection, Automatic or None');
    }
    if (cred.source === 'ConfiguredConnection' && (typeof cred.connectionId !== 'string' || !UUID_RE.test(cred.connectionId))) {
      return invalidRequest(c, 'myGitCredentials.connectionId must be a uuid');
    }
  }
  if (ws.git) return fabricError(c, 409, 'WorkspaceAlreadyConnectedToGit', 'Workspace is already connected to git');
  const bad = noCapacity(c, ws);
  if (bad) return bad;
  // Every caller here is a service principal: Fabric takes only a configured connection from one.
  if (!cred || cred.source !== 'ConfiguredConnection') {
    if (d.gitProviderType === 'GitHub') {
      return fabricError(c, 400, 'InvalidInput', 'myGitCredentials with a configured connection is required for GitHub');
    }
    return fabricError(c, 400, 'PrincipalTypeNotSupported', 'Caller identity type is not supported without myGitCredentials of source ConfiguredConnection');
  }
  const key = remoteKey(d);
  if (!state.remotes.has(key)) {
    return fabricError(c, 404, 'GitProviderResourceNotFound', 'The repository, branch or directory was not found at the Git provider');
  }
  ws.git = { provider: providerJson(d), key, connectionId: cred.connectionId, initialized: false, head: null,
    lastSyncTime: null, synced: new Map() };
  return send(c, 200, undefined);
});

route('POST', '/v1/workspaces/{ws}/git/initializeConnection', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const strategy = c.body.initializationStrategy === undefined || c.body.initializationStrategy === null ? 'None'
    : c.body.initializationStrategy;
  if (!['None', 'PreferRemote', 'PreferWorkspace'].includes(strategy)) {
    return invalidRequest(c, 'initializationStrategy must be None, PreferRemote or PreferWorkspace');
  }
  const g = needGit(c, ws);
  if (!g) return 400;
  const bad = noCapacity(c, ws);
  if (bad) return bad;
  if (g.initialized) {
    return fabricError(c, 409, 'WorkspaceGitConnectionAlreadyInitialized', 'The Git connection of the workspace is already initialized');  // (guess)
  }
  if (gitBusy(ws)) return fabricError(c, 409, 'WorkspacePreviousOperationInProgress', 'Previous operation is still in progress');
  const remote = state.remotes.get(g.key);
  if (strategy === 'None' && gitItems(ws).length && remote.items.length && g.head !== remote.commit) {
    return fabricError(c, 400, 'MissingInitializationPolicy', 'Initialization policy is missing');
  }
  const initialize = () => {
    if (!state.workspaces.has(ws.id) || ws.git !== g) {
      return { error: { errorCode: 'WorkspaceNotConnectedToGit', message: 'Workspace is not connected to git' } };
    }
    const now = state.remotes.get(g.key);
    const local = gitItems(ws).length > 0;
    let requiredAction = 'None';
    if (g.head === now.commit) requiredAction = 'None';
    else if (now.items.length && (!local || strategy !== 'PreferWorkspace')) requiredAction = 'UpdateFromGit';
    else if (local) requiredAction = 'CommitToGit';
    else {  // both sides empty: in sync with the remote's commit
      g.head = now.commit;
      g.lastSyncTime = syncTime();
    }
    g.initialized = true;
    return { result: { requiredAction, workspaceHead: g.head, remoteCommitHash: now.commit } };
  };
  if (config.lro === 'always' || c.fault) {
    return startOperation(c, 'initializeConnection', ws, { initializationStrategy: strategy }, initialize, c.fault, false);
  }
  return send(c, 200, initialize().result);
});

// What an update from Git does: each remote item creates or overwrites the workspace's item of
// its type and name; an item changed on both sides since the last sync is a conflict; an item
// the last sync brought that the remote no longer has goes, unless the workspace changed it.
function gitUpdatePlan(ws, g, remote) {
  const byKey = new Map(gitItems(ws).map((it) => [gitKey(it.type, it.displayName), it]));
  const seen = new Set();
  const steps = [];
  let conflicts = 0;
  let duplicate = false;
  for (const r of remote.items) {
    const key = gitKey(r.type, r.displayName);
    if (seen.has(key)) duplicate = true;
    seen.add(key);
    const item = byKey.get(key) || null;
    let conflict = false;
    if (item) {
      const mine = contentDigest(item.description, item.parts);
      const base = g.synced.get(key);
      conflict = mine !== r.digest && mine !== base && r.digest !== base;
    }
    if (conflict) conflicts++;
    steps.push({ key, remote: r, item, conflict });
  }
  const deletions = [...byKey].filter(([key, it]) => !seen.has(key) && g.synced.get(key) === contentDigest(it.description, it.parts))
    .map(([, it]) => it);
  return { steps, conflicts, deletions, duplicate };
}

route('POST', '/v1/workspaces/{ws}/git/updateFromGit', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const b = c.body;
  if (typeof b.remoteCommitHash !== 'string' || !b.remoteCommitHash) return invalidRequest(c, 'remoteCommitHash is required');
  const cr = b.conflictResolution === null ? undefined : b.conflictResolution;
  if (cr !== undefined && (typeof cr !== 'object' || cr.conflictResolutionType !== 'Workspace' ||
      !['PreferRemote', 'PreferWorkspace'].includes(cr.conflictResolutionPolicy))) {
    return invalidRequest(c, 'conflictResolution needs conflictResolutionType Workspace and conflictResolutionPolicy PreferRemote or PreferWorkspace');
  }
  const options = b.options === null || b.options === undefined ? {} : b.options;
  if (typeof options !== 'object' || (options.allowOverrideItems !== undefined && typeof options.allowOverrideItems !== 'boolean')) {
    return invalidRequest(c, 'options.allowOverrideItems must be a boolean');
  }
  const g = needGit(c, ws);
  if (!g) return 400;
  const bad = noCapacity(c, ws);
  if (bad) return bad;
  if (!g.initialized) {
    return fabricError(c, 400, 'WorkspaceGitConnectionNotInitialized', 'The Git connection of the workspace is not initialized');  // (guess)
  }
  if (gitBusy(ws)) return fabricError(c, 409, 'WorkspacePreviousOperationInProgress', 'Previous operation is still in progress');
  if ((b.workspaceHead || null) !== g.head) {
    return fabricError(c, 400, 'WorkspaceHeadMismatch', "Head in the request doesn't match the head in the system");
  }
  const remote = state.remotes.get(g.key);
  if (b.remoteCommitHash !== remote.commit) {
    return fabricError(c, 400, 'RemoteCommitHashMismatch', "The remote commit hash in the request doesn't match the branch's head");  // (guess)
  }
  const plan = gitUpdatePlan(ws, g, remote);
  if (plan.duplicate) {
    return fabricError(c, 400, 'PotentialDuplicateDisplayNameAndType', 'Update operation will create a duplicate display name and type');
  }
  if (plan.conflicts && !cr) {
    return fabricError(c, 400, 'MissingWorkspaceConflictResolution', 'Items are in conflict and no conflict resolution was given');
  }
  const preferWorkspace = cr && cr.conflictResolutionPolicy === 'PreferWorkspace';
  if (plan.conflicts && !preferWorkspace && options.allowOverrideItems !== true) {
    return fabricError(c, 400, 'OverrideItemsNotAllowed', 'Incoming items would override workspace items and allowOverrideItems is not set');
  }
  const update = () => {
    if (!state.workspaces.has(ws.id) || ws.git !== g) {
      return { error: { errorCode: 'WorkspaceNotConnectedToGit', message: 'Workspace is not connected to git' } };
    }
    const synced = new Map();
    for (const s of plan.steps) {
      const r = s.remote;
      synced.set(s.key, r.digest);
      if (s.conflict && preferWorkspace) continue;
      const folderId = ensureFolderPath(ws, r.folder);
      const parts = r.parts.map((p) => ({ path: p.path, bytes: Buffer.from(p.bytes) }));
      const it = s.item ? ws.items.get(s.item.id) : null;
      if (it) {
        it.displayName = r.displayName;
        it.description = r.description;
        it.parts = parts;
        for (const x of family(ws, it)) x.folderId = folderId;
      } else {
        addItem(ws, { type: r.type, displayName: r.displayName, description: r.description, folderId, parts });
      }
    }
    for (const it of plan.deletions) if (ws.items.has(it.id)) removeItem(ws, it);
    g.head = remote.commit;
    g.lastSyncTime = syncTime();
    g.synced = synced;
    return { result: undefined };
  };
  if (config.lro === 'never' && !c.fault) {
    update();
    return send(c, 200, undefined);
  }
  return startOperation(c, 'updateFromGit', ws, { remoteCommitHash: remote.commit }, update, c.fault, false);
});

route('POST', '/v1/workspaces/{ws}/git/disconnect', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  if (!needGit(c, ws)) return 400;
  ws.git = null;
  return send(c, 200, undefined);
});

// ?rootFolderId= and ?recursive= (default true): what lies under a folder, or at the top.
function underRoot(c, ws, folderId) {
  const root = c.query.get('rootFolderId') || null;
  const recursive = c.query.get('recursive') !== 'false';
  if (!root && recursive) return true;
  if (!recursive) return (folderId || null) === root;
  for (let cur = folderId ? ws.folders.get(folderId) : null; cur; cur = cur.parentFolderId ? ws.folders.get(cur.parentFolderId) : null) {
    if (cur.id === root) return true;
  }
  return false;
}

route('GET', '/v1/workspaces/{ws}/items', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const type = c.query.get('type');
  const root = c.query.get('rootFolderId');
  if (root && !needFolder(c, ws, root)) return 404;
  return page(c, sortedItems(ws).filter((it) => (!type || it.type === type) && underRoot(c, ws, it.folderId)),
    (it) => itemJson(ws, it));
});

function badParts(parts) {
  return (parts || []).some((p) => typeof p.path !== 'string' || (p.payloadType || 'InlineBase64') !== 'InlineBase64' ||
    typeof p.payload !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(p.payload));
}

route('POST', '/v1/workspaces/{ws}/items', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const b = c.body;
  if (typeof b.displayName !== 'string' || !b.displayName || typeof b.type !== 'string' || !b.type) {
    return fabricError(c, 400, 'InvalidRequest', 'The request could not be processed due to missing or invalid information',
      { moreDetails: [{ errorCode: 'RequestBodyValidationFailed', message: 'displayName and type are required' }] });
  }
  const folderId = b.folderId || null;
  if (folderId && !needFolder(c, ws, folderId)) return 404;
  if (b.definition && badParts(b.definition.parts)) return fabricError(c, 400, 'CorruptedPayload', 'The provided payload is corrupted');
  if (nameTaken(ws, b.type, b.displayName)) {
    return fabricError(c, 400, 'ItemDisplayNameAlreadyInUse', `Requested '${b.displayName}' is already in use`);
  }
  const fields = {
    type: b.type, displayName: b.displayName, description: b.description || '', folderId,
    parts: decodeParts(b.definition && b.definition.parts), creationPayload: b.creationPayload || null,
  };
  const create = () => {
    if (!state.workspaces.has(ws.id)) return { error: { errorCode: 'WorkspaceNotFound', message: 'The requested workspace was not found' } };
    if (fields.folderId && !ws.folders.has(fields.folderId)) return { error: { errorCode: 'FolderNotFound', message: 'The requested folder was not found in the workspace' } };
    const it = addItem(ws, fields);
    return { result: POWER_BI_TYPES.has(it.type) ? itemJson(ws, it) : createdJson(ws, it) };
  };
  const lro = config.lro === 'always' || (config.lro === 'trace' && !SYNC_TYPES.has(b.type)) || c.fault;
  if (lro) return startOperation(c, 'create', ws, fields, create, c.fault, !POWER_BI_TYPES.has(b.type));
  const it = addItem(ws, fields);
  return send(c, 201, createdJson(ws, it), { ETag: '""' });
});

route('GET', '/v1/workspaces/{ws}/items/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  return it ? send(c, 200, itemJson(ws, it), { ETag: '""' }) : 404;
});

route('PATCH', '/v1/workspaces/{ws}/items/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  if (!it) return 404;
  const { displayName, description } = c.body;
  if (displayName !== undefined && nameTaken(ws, it.type, String(displayName), it.id)) {
    return fabricError(c, 400, 'ItemDisplayNameAlreadyInUse', `Requested '${displayName}' is already in use`);
  }
  if (displayName !== undefined) it.displayName = String(displayName);
  if (description !== undefined) it.description = String(description);
  return send(c, 200, itemJson(ws, it));
});

route('DELETE', '/v1/workspaces/{ws}/items/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  if (!it) return 404;
  removeItem(ws, it);
  return send(c, 200, undefined);
});

route('POST', '/v1/workspaces/{ws}/items/{id}/move', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  if (!it) return 404;
  const target = c.body.targetFolderId || null;
  if (target && !needFolder(c, ws, target)) return 404;
  const moved = family(ws, it);
  for (const x of moved) x.folderId = target;
  return send(c, 200, { value: moved.map((x) => createdJson(ws, x)) });
});

route('POST', '/v1/workspaces/{ws}/items/{id}/getDefinition', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  if (!it) return 404;
  return startOperation(c, 'getDefinition', ws, { itemId: it.id }, () => {
    const now = ws.items.get(it.id);
    if (!now) return { error: { errorCode: 'ItemNotFound', message: 'The requested item was not found' } };
    return { result: definitionJson(now) };
  }, c.fault);
});

route('POST', '/v1/workspaces/{ws}/items/{id}/updateDefinition', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const it = needItem(c, ws);
  if (!it) return 404;
  const def = c.body.definition;
  if (!def || !Array.isArray(def.parts) || badParts(def.parts)) {
    return fabricError(c, 400, 'CorruptedPayload', 'The provided payload is corrupted');
  }
  const parts = decodeParts(def.parts);
  const updateMetadata = c.query.get('updateMetadata') === 'true';
  return startOperation(c, 'updateDefinition', ws, { itemId: it.id, updateMetadata }, () => {
    const now = ws.items.get(it.id);
    if (!now) return { error: { errorCode: 'ItemNotFound', message: 'The requested item was not found' } };
    const platform = parts.find((p) => p.path === '.platform');
    if (updateMetadata && platform) {
      const meta = (parseJson(platform.bytes.toString('utf8')) || {}).metadata || {};
      if (typeof meta.displayName === 'string' && !sameName(meta.displayName, now.displayName) &&
          nameTaken(ws, now.type, meta.displayName, now.id)) {
        return { error: { errorCode: 'ItemDisplayNameAlreadyInUse', message: `Requested '${meta.displayName}' is already in use` } };
      }
      if (typeof meta.displayName === 'string') now.displayName = meta.displayName;
      if (typeof meta.description === 'string') now.description = meta.description;
    }
    now.parts = parts.filter((p) => p.path !== '.platform');
    return { result: undefined };
  }, c.fault);
});

for (const [segment, type] of [['lakehouses', 'Lakehouse'], ['eventhouses', 'Eventhouse'], ['warehouses', 'Warehouse'],
  ['kqlDatabases', 'KQLDatabase']]) {
  route('GET', `/v1/workspaces/{ws}/${segment}/{id}`, (c) => {
    const ws = needWorkspace(c);
    if (!ws) return 404;
    const it = needItem(c, ws, type);
    if (!it) return 404;
    it.reads++;
    return send(c, 200, { ...createdJson(ws, it), properties: { ...propertiesJson(ws, it), ...(it.properties || {}) },
      sensitivityLabel: { id: SENSITIVITY_LABEL } }, { ETag: '""' });
  });
}

route('GET', '/v1/workspaces/{ws}/folders', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const root = c.query.get('rootFolderId');
  if (root && !needFolder(c, ws, root)) return 404;
  return page(c, [...ws.folders.values()].filter((f) => underRoot(c, ws, f.parentFolderId)), (f) => folderJson(ws, f));
});

function folderNameTaken(ws, parent, name, exceptId) {
  return [...ws.folders.values()].some((f) => f.id !== exceptId && (f.parentFolderId || null) === (parent || null) && sameName(f.displayName, name));
}

route('POST', '/v1/workspaces/{ws}/folders', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const { displayName } = c.body;
  const parent = c.body.parentFolderId || null;
  if (typeof displayName !== 'string' || !displayName.trim() || /[~"#.&*:<>?/\\{|}]/.test(displayName)) {
    return fabricError(c, 400, 'InvalidFolderDisplayName', 'The provided folder display name is invalid');
  }
  if (parent && !needFolder(c, ws, parent)) return 404;
  if (folderNameTaken(ws, parent, displayName)) {
    return fabricError(c, 409, 'FolderDisplayNameAlreadyInUse', 'Folder display name is already used');
  }
  const f = { id: uuid(), displayName, parentFolderId: parent };
  ws.folders.set(f.id, f);
  return send(c, 201, folderJson(ws, f), { Location: `${apiBase}/v1/workspaces/${ws.id}/folders/${f.id}` });
});

route('GET', '/v1/workspaces/{ws}/folders/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const f = needFolder(c, ws, c.params.id);
  return f ? send(c, 200, folderJson(ws, f)) : 404;
});

route('PATCH', '/v1/workspaces/{ws}/folders/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const f = needFolder(c, ws, c.params.id);
  if (!f) return 404;
  const { displayName } = c.body;
  if (displayName !== undefined) {
    if (folderNameTaken(ws, f.parentFolderId, String(displayName), f.id)) {
      return fabricError(c, 409, 'FolderDisplayNameAlreadyInUse', 'Folder display name is already used');
    }
    f.displayName = String(displayName);
  }
  return send(c, 200, folderJson(ws, f));
});

route('DELETE', '/v1/workspaces/{ws}/folders/{id}', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const f = needFolder(c, ws, c.params.id);
  if (!f) return 404;
  const used = [...ws.items.values()].some((it) => it.folderId === f.id) ||
    [...ws.folders.values()].some((x) => x.parentFolderId === f.id);
  if (used) return fabricError(c, 400, 'FolderNotEmpty', 'The requested folder was not empty');
  ws.folders.delete(f.id);
  return send(c, 200, undefined);
});

route('POST', '/v1/workspaces/{ws}/folders/{id}/move', (c) => {
  const ws = needWorkspace(c);
  if (!ws) return 404;
  const f = needFolder(c, ws, c.params.id);
  if (!f) return 404;
  const target = c.body.targetFolderId || null;
  if (target && !needFolder(c, ws, target)) return 404;
  for (let cur = target ? ws.folders.get(target) : null; cur; cur = cur.parentFolderId ? ws.folders.get(cur.parentFolderId) : null) {
    if (cur.id === f.id) return fabricError(c, 400, 'InfiniteFolderHierarchyLoop', "The folder can't be moved into any of its descendants");
  }
  if (folderNameTaken(ws, target, f.displayName, f.id)) {
    return fabricError(c, 409, 'FolderDisplayNameAlreadyInUse', 'Folder display name is already used');
  }
  f.parentFolderId = target;
  return send(c, 200, folderJson(ws, f));
});

route('GET', '/v1/operations/{op}', (c) => {
  const op = state.operations.get(c.params.op);
  if (!op) return fabricError(c, 404, 'OperationNotFound', 'The requested operation was not found');
  advance(op);
  const headers = { 'x-ms-operation-id': op.id };
  if (op.status === 'Running') {
    headers.Location = `${opsBase}/v1/operations/${op.id}`;
    headers['Retry-After'] = String(config.retry_after);
  } else {
    headers['Access-Control-Expose-Headers'] = 'RequestId,Location,x-ms-operation-id';
    if (op.status === 'Succeeded' && op.result !== undefined) headers.Location = `${opsBase}/v1/operations/${op.id}/result`;
  }
  return send(c, 200, operationJson(op), headers);
});

route('GET', '/v1/operations/{op}/result', (c) => {
  const op = state.operations.get(c.params.op);
  if (!op) return fabricError(c, 404, 'OperationNotFound', 'The requested operation was not found');
  if (op.status !== 'Succeeded') return fabricError(c, 400, 'OperationNotSucceeded', `The operation is ${op.status}`);
  if (op.result === undefined) return fabricError(c, 400, 'OperationHasNoResult', 'The operation has no result');
  return send(c, 200, op.result, { 'Content-Type': 'application/json' });
});

// ---- deployment pipelines -----------------------------------------------------
// A pipeline's stages are bound to workspaces (seeded); a deploy copies the source
// stage's workspace into the target stage's as Fabric does: items paired by an earlier
// deploy, else by type and name, else created; names, descriptions, folders (by path)
// and definitions copied, with the source's item and workspace ids in the parts turned
// into the target's (Fabric's autobinding of references inside the pipeline; the SQL
// host and query URIs too, for the deployment rules a team would set). Fabric's
// deploy deletes nothing. SQLEndpoint and Dashboard items are Fabric's own: not deployed.
const PIPELINE_SKIPPED = new Set(['SQLEndpoint', 'Dashboard']);

function needPipeline(c) {
  const p = state.pipelines.get(c.params.dp);
  if (!p) fabricError(c, 404, 'EntityNotFound', 'The requested deployment pipeline was not found');  // (guess)
  return p;
}

function stageJson(s) {
  const ws = s.workspaceId ? state.workspaces.get(s.workspaceId) : null;
  const j = { id: s.id, order: s.order, displayName: s.displayName, description: s.description || '', isPublic: false };
  if (ws) { j.workspaceId = ws.id; j.workspaceName = ws.displayName; }
  return j;
}

route('GET', '/v1/deploymentPipelines/{dp}', (c) => {
  const p = needPipeline(c);
  if (!p) return 404;
  return send(c, 200, { id: p.id, displayName: p.displayName, description: p.description, stages: p.stages.map(stageJson) });
});

route('GET', '/v1/deploymentPipelines/{dp}/stages', (c) => {
  const p = needPipeline(c);
  return p ? page(c, p.stages, stageJson) : 404;
});

function stageOf(p, id) { return p.stages.find((s) => s.id === id) || null; }

route('GET', '/v1/deploymentPipelines/{dp}/stages/{stage}', (c) => {
  const p = needPipeline(c);
  if (!p) return 404;
  const s = stageOf(p, c.params.stage);
  if (!s) return fabricError(c, 404, 'EntityNotFound', 'The requested deployment pipeline stage was not found');  // (guess)
  return send(c, 200, stageJson(s));
});

route('GET', '/v1/deploymentPipelines/{dp}/stages/{stage}/items', (c) => {
  const p = needPipeline(c);
  if (!p) return 404;
  const s = stageOf(p, c.params.stage);
  if (!s) return fabricError(c, 404, 'EntityNotFound', 'The requested deployment pipeline stage was not found');  // (guess)
  const ws = s.workspaceId ? state.workspaces.get(s.workspaceId) : null;
  const items = ws ? [...ws.items.values()].filter((it) => !PIPELINE_SKIPPED.has(it.type) && !it.parentId) : [];
  return page(c, items, (it) => {
    const j = { itemId: it.id, itemDisplayName: it.displayName, itemType: it.type };
    for (const [src, dst] of p.pairs) {
      if (dst === it.id) j.sourceItemId = src;
      if (src === it.id) j.targetItemId = dst;
    }
    if (it.deployedAt) j.lastDeploymentTime = new Date(it.deployedAt).toISOString();
    return j;
  });
});

function deployStage(p, source, target, only) {
  const from = state.workspaces.get(source.workspaceId);
  const to = state.workspaces.get(target.workspaceId);
  if (!from || !to) return { error: { errorCode: 'WorkspaceNotFound', message: 'The requested workspace was not found' } };
  const folderIn = (path) => ensureFolderPath(to, path);
  const ids = new Map([[from.id, to.id]]);  // source id -> target id
  const copied = [];
  const now = Date.now();
  for (const it of from.items.values()) {
    if (PIPELINE_SKIPPED.has(it.type) || it.parentId) continue;
    if (only && !only.has(it.id)) continue;
    let dst = p.pairs.has(it.id) ? to.items.get(p.pairs.get(it.id)) : null;
    if (!dst) dst = [...to.items.values()].find((x) => x.type === it.type && sameName(x.displayName, it.displayName) && !x.parentId) || null;
    const folderId = folderIn(it.folderId && from.folders.has(it.folderId) ? folderPath(from, from.folders.get(it.folderId)) : '');
    const fresh = !dst;
    if (!dst) dst = addItem(to, { type: it.type, displayName: it.displayName, description: it.description, folderId, parts: [] });
    p.pairs.set(it.id, dst.id);
    ids.set(it.id, dst.id);
    copied.push([it, dst, folderId, fresh]);
    if (it.childId && dst.childId && from.items.has(it.childId) && to.items.has(dst.childId)) {
      ids.set(it.childId, dst.childId);
      copied.push([from.items.get(it.childId), to.items.get(dst.childId), folderId, fresh]);
    }
  }
  // The values that name the source's items and workspace: its SQL host and an
  // eventhouse's query URIs stand for the connections Fabric's autobinding (and the
  // deployment rules a team sets) points at the target's own (a simplification).
  ids.set(sqlHost(from), sqlHost(to));
  const kusto = (id) => crypto.createHash('sha1').update(id).digest('hex').slice(0, 18);
  for (const [it, dst] of copied) if (it.type === 'Eventhouse') ids.set(kusto(it.id), kusto(dst.id));
  const steps = [];
  for (const [it, dst, folderId, fresh] of copied) {
    dst.displayName = it.displayName;
    dst.description = it.description;
    dst.folderId = folderId;
    dst.parts = it.parts.map((part) => {
      let bytes = part.bytes;
      const text = bytes.toString('utf8');
      if (Buffer.from(text, 'utf8').equals(bytes)) {
        let out = text;
        for (const [a, b] of ids) out = out.split(a).join(b);
        bytes = Buffer.from(out, 'utf8');
      }
      return { path: part.path, bytes };
    });
    dst.deployedAt = now;
    steps.push({ index: steps.length, description: `${it.type}Deployment`, status: 'Succeeded',
      preDeploymentDiffState: fresh ? 'New' : 'Different',
      sourceAndTarget: { sourceItemId: it.id, sourceItemDisplayName: it.displayName,
        ...(fresh ? {} : { targetItemId: dst.id, targetItemDisplayName: dst.displayName }), itemType: it.type } });
  }
  return { steps };
}

route('POST', '/v1/deploymentPipelines/{dp}/deploy', (c) => {
  const p = needPipeline(c);
  if (!p) return 404;
  const b = c.body;
  const bad = (message) => fabricError(c, 400, 'InvalidInput', message);  // (guess)
  if (typeof b.sourceStageId !== 'string' || typeof b.targetStageId !== 'string') return bad('sourceStageId and targetStageId are required');
  if (b.note !== undefined && (typeof b.note !== 'string' || b.note.length > 1024)) return bad('note must be a string of at most 1024 characters');
  const source = stageOf(p, b.sourceStageId);
  const target = stageOf(p, b.targetStageId);
  if (!source || !target) return fabricError(c, 404, 'EntityNotFound', 'The requested deployment pipeline stage was not found');  // (guess)
  if (!source.workspaceId) return bad('The source stage has no assigned workspace');
  if (!target.workspaceId) return bad('The target stage has no assigned workspace; createdWorkspaceDetails is not supported here');
  const targetWs = state.workspaces.get(target.workspaceId);
  if (target.order !== source.order + 1 && !(target.order < source.order && targetWs && targetWs.items.size === 0)) {
    return bad('Deploying is possible only to the next stage, or to an earlier one that is empty');
  }
  let only = null;
  if (b.items !== undefined) {
    if (!Array.isArray(b.items) || b.items.some((i) => !i || typeof i.sourceItemId !== 'string' || typeof i.itemType !== 'string')) {
      return bad('items must be [{sourceItemId, itemType}]');
    }
    if (b.items.length > 300) return bad('Maximum 300 deployed items per request');
    only = new Set(b.items.map((i) => i.sourceItemId));
  }
  const deploymentId = uuid();
  const started = Date.now();
  const principal = uuid();  // (guess) the caller's object id
  const request = { pipelineId: p.id, sourceStageId: source.id, targetStageId: target.id, note: b.note || '', items: b.items || null };
  return startOperation(c, 'deploy', targetWs, request, () => {
    const done = deployStage(p, source, target, only);
    if (done.error) return done;
    const result = { id: deploymentId, type: 'Deploy', status: 'Succeeded', lastUpdatedTime: new Date().toISOString(),
      executionStartTime: new Date(started).toISOString(), executionEndTime: new Date().toISOString(),
      sourceStageId: source.id, targetStageId: target.id, executionPlan: { steps: done.steps },
      preDeploymentDiffInformation: {
        newItemsCount: done.steps.filter((x) => x.preDeploymentDiffState === 'New').length,
        differentItemsCount: done.steps.filter((x) => x.preDeploymentDiffState === 'Different').length,
        noDifferenceItemsCount: 0,
      },
      performedBy: { id: principal, type: 'ServicePrincipal' } };
    if (b.note) result.note = { content: b.note };
    p.deployments.push({ ...request, id: deploymentId, status: 'Succeeded' });
    return { result };
  }, c.fault, false, { 'deployment-id': deploymentId });
});

// ---- Entra ID token endpoint ------------------------------------------------
function b64url(value) { return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url'); }

function entraError(res, status, error, code, description) {
  const trace = uuid();
  const correlation = uuid();
  const when = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const body = {
    error, error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${when}`,
    error_codes: [code], timestamp: when, trace_id: trace, correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store, no-cache', 'x-ms-request-id': trace });
  res.end(text);
  return status;
}

function token(res, tenant, form) {
  if (form.get('grant_type') !== 'client_credentials') {
    return entraError(res, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const clientId = form.get('client_id') || '';
  const client = state.clients.get(clientId);
  if (!client || client.tenant !== tenant) {
    return entraError(res, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  const assertionType = form.get('client_assertion_type');
  if (assertionType) {
    const assertion = form.get('client_assertion') || '';
    const jwtBearer = assertionType === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    if (!jwtBearer || !assertion || (!client.assertions.has(assertion) && !state.oidcTokens.has(assertion))) {
      return entraError(res, 401, 'invalid_client', 70021, 'No matching federated identity record found for presented assertion.');
    }
    if (!client.assertions.has(assertion)) {
      const claims = JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString('utf8'));
      if (claims.exp * 1000 <= Date.now()) {
        return entraError(res, 401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      }
      if (!client.federated.some((f) => f.subject === claims.sub && f.audience === claims.aud && f.issuer === claims.iss)) {
        return entraError(res, 401, 'invalid_client', 700213,
          `No matching federated identity record found for presented assertion subject '${claims.sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`);
      }
    }
  } else if (client.secret === null || form.get('client_secret') !== client.secret) {
    return entraError(res, 401, 'invalid_client', 7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
  }
  if (form.get('scope') !== FABRIC_SCOPE) {
    return entraError(res, 400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${form.get('scope')} is not valid.`);
  }
  const now = Math.floor(Date.now() / 1000);
  const lifetime = config.token_lifetime;
  const payload = {
    aud: 'https://api.fabric.microsoft.com', iss: `https://sts.windows.net/${tenant}/`, iat: now, nbf: now,
    exp: now + lifetime, appid: clientId, oid: crypto.createHash('sha1').update(clientId).digest('hex').slice(0, 32), tid: tenant,
  };
  const accessToken = `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url(payload)}.${crypto.randomBytes(32).toString('base64url')}`;
  state.tokens.set(accessToken, { clientId, expiresAt: Date.now() + lifetime * 1000, expired: false });
  const text = JSON.stringify({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store, no-cache' });
  res.end(text);
  return 200;
}

// ---- GitHub Actions' OIDC token endpoint ----------------------------------------
function githubOidc(c) {
  const reply = (status, body) => {
    const text = JSON.stringify(body);
    c.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    c.res.end(text);
    return status;
  };
  if ((c.req.headers.authorization || '') !== `Bearer ${OIDC_REQUEST_TOKEN}`) return reply(401, { message: 'Bad credentials' });
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: GITHUB_ISSUER, aud: c.query.get('audience') || 'https://github.com/octo-org',
    sub: c.query.get('subject') || 'repo:octo-org/octo-repo:ref:refs/heads/main', iat: now, nbf: now - 5, exp: now + 300,
    jti: uuid(),
  };
  const value = `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'github' })}.${b64url(claims)}.${crypto.randomBytes(32).toString('base64url')}`;
  state.oidcTokens.add(value);
  return reply(200, { count: state.oidcTokens.size, value });
}

// ---- control API -----------------------------------------------------------
function seed(b) {
  for (const c of b.clients || []) addClient(c);
  if (b.capacities) {
    if (state.capacities === null) state.capacities = new Map();
    for (const cap of b.capacities) {
      if (typeof cap.id !== 'string' || !UUID_RE.test(cap.id)) throw new Error('seed: a capacity needs a uuid id');
      state.capacities.set(cap.id.toLowerCase(), { id: cap.id, displayName: cap.displayName || `capacity-${cap.id.slice(0, 8)}`,
        state: cap.state || 'Active' });
    }
  }
  const out = { workspaces: [] };
  for (const w of b.workspaces || []) {
    const ws = workspace(w.id || uuid(), w);
    if (w.displayName !== undefined) ws.displayName = w.displayName;
    if (w.description !== undefined) ws.description = w.description;
    const folders = {};
    for (const f of w.folders || []) {
      let parent = f.parentFolderId || null;
      if (f.parent) parent = (folderByPath(ws, f.parent) || {}).id || null;
      const folder = { id: f.id || uuid(), displayName: f.displayName, parentFolderId: parent };
      ws.folders.set(folder.id, folder);
      folders[folderPath(ws, folder)] = folder.id;
    }
    const items = {};
    for (const i of w.items || []) {
      let folderId = i.folderId || null;
      if (i.folder) {
        const f = folderByPath(ws, i.folder);
        if (!f) throw new Error(`seed: no folder '${i.folder}'`);
        folderId = f.id;
      }
      const it = addItem(ws, { id: i.id, type: i.type, displayName: i.displayName, description: i.description,
        folderId, parts: seedParts(i.parts), creationPayload: i.creationPayload, properties: i.properties });
      items[`${it.type}/${it.displayName}`] = it.id;
    }
    out.workspaces.push({ id: ws.id, folders, items });
  }
  out.pipelines = [];
  for (const d of b.pipelines || []) {
    const p = { id: d.id || uuid(), displayName: d.displayName || 'pipeline', description: d.description || '',
      stages: (d.stages || []).map((st, order) => ({ id: st.id || uuid(), order, displayName: st.displayName || `Stage ${order}`,
        description: st.description || '', workspaceId: st.workspace || null })),
      pairs: new Map(), deployments: [] };
    state.pipelines.set(p.id, p);
    out.pipelines.push({ id: p.id, stages: p.stages.map((st) => st.id) });
  }
  return out;
}

// A push to a branch's folder: what the Git provider holds there from now on.
function gitRemote(b) {
  const d = {
    gitProviderType: b.gitProviderType, ownerName: b.ownerName ?? b.owner, organizationName: b.organizationName ?? b.organization,
    projectName: b.projectName ?? b.project, repositoryName: b.repositoryName, branchName: b.branchName,
    directoryName: b.directoryName ?? '',
  };
  const problem = providerProblem(d);
  if (problem) throw new Error(`git_remote: ${problem}`);
  if (typeof b.commit !== 'string' || !/^[0-9a-f]{40}$/i.test(b.commit)) throw new Error('git_remote: commit must be 40 hex digits');
  const items = (b.items || []).map((i) => {
    if (typeof i.type !== 'string' || typeof i.displayName !== 'string') throw new Error('git_remote: an item needs type and displayName');
    const parts = seedParts(i.parts).filter((x) => x.path !== '.platform');
    const description = i.description || '';
    return { type: i.type, displayName: i.displayName, description, folder: i.folder || '', parts,
      digest: contentDigest(description, parts) };
  });
  state.remotes.set(remoteKey(d), { details: providerJson(d), commit: b.commit, items });
  return { commit: b.commit, items: items.length };
}

function gitStateJson(ws) {
  if (!ws.git) return null;
  return { ...gitConnectionJson(ws), connectionId: ws.git.connectionId };
}

function partJson(p) {
  const j = { path: p.path, base64: p.bytes.toString('base64') };
  const text = p.bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(p.bytes)) j.text = text;
  return j;
}

function snapshot(only) {
  const workspaces = [];
  for (const ws of state.workspaces.values()) {
    if (only && ws.id !== only) continue;
    workspaces.push({
      id: ws.id, displayName: ws.displayName, description: ws.description, capacityId: ws.capacityId, git: gitStateJson(ws),
      folders: [...ws.folders.values()].map((f) => ({ id: f.id, displayName: f.displayName, parentFolderId: f.parentFolderId, path: folderPath(ws, f) })),
      items: [...ws.items.values()].map((it) => ({ id: it.id, type: it.type, displayName: it.displayName,
        description: it.description, folderId: it.folderId, parts: it.parts.map(partJson) })),
    });
  }
  const operations = [...state.operations.values()].map((op) => ({ id: op.id, kind: op.kind, status: op.status, polls: op.pollsLeft }));
  const pipelines = [...state.pipelines.values()].map((p) => ({ id: p.id, stages: p.stages.map(stageJson),
    deployments: p.deployments.map((d) => ({ id: d.id, sourceStageId: d.sourceStageId, targetStageId: d.targetStageId, note: d.note, status: d.status })) }));
  const gitRemotes = [...state.remotes.values()].map((r) => ({ ...r.details, commit: r.commit,
    items: r.items.map((i) => ({ type: i.type, displayName: i.displayName, folder: i.folder })) }));
  const capacities = state.capacities === null ? null : [...state.capacities.values()];
  return { workspaces, operations, pipelines, gitRemotes, capacities };
}

function portalEdit(b) {
  const ws = state.workspaces.get(b.workspace);
  if (!ws) throw new Error(`portal_edit: no workspace ${b.workspace}`);
  const it = ws.items.get(b.item);
  if (!it) throw new Error(`portal_edit: no item ${b.item}`);
  if (b.displayName !== undefined) it.displayName = b.displayName;
  if (b.description !== undefined) it.description = b.description;
  if (b.folder !== undefined) {
    const folderId = ensureFolderPath(ws, b.folder);
    for (const x of family(ws, it)) x.folderId = folderId;
  }
  for (const p of b.parts || []) {
    const i = it.parts.findIndex((x) => x.path === p.path);
    if (p.delete) {
      if (i >= 0) it.parts.splice(i, 1);
      continue;
    }
    const part = seedParts([p])[0];
    if (i >= 0) it.parts[i] = part; else it.parts.push(part);
  }
  return partJsonItem(ws, it);
}

function partJsonItem(ws, it) { return { ...createdJson(ws, it), parts: it.parts.map(partJson) }; }

function control(c, method, p) {
  const b = c.body;
  const reply = (status, body) => { const text = JSON.stringify(body); c.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }); c.res.end(text); };
  if (method === 'POST' && p === '/_control/reset') { reset(); return reply(200, {}); }
  if (method === 'POST' && p === '/_control/config') {
    for (const k of Object.keys(config)) if (b[k] !== undefined) config[k] = b[k];
    return reply(200, config);
  }
  if (method === 'POST' && p === '/_control/seed') return reply(200, seed(b));
  if (method === 'POST' && p === '/_control/git_remote') return reply(200, gitRemote(b));
  if (method === 'POST' && p === '/_control/clients') {
    if (!b.clientId) return reply(400, { message: 'clientId is required' });
    addClient(b);
    return reply(201, { clientId: b.clientId });
  }
  if (method === 'POST' && p === '/_control/tokens/expire') {
    for (const t of state.tokens.values()) t.expired = true;
    return reply(200, { expired: state.tokens.size });
  }
  if (method === 'GET' && p === '/_control/state') return reply(200, snapshot(c.query.get('workspace')));
  if (method === 'POST' && p === '/_control/portal_edit') return reply(200, portalEdit(b));
  if (method === 'POST' && p === '/_control/faults') {
    const f = {
      id: nextFaultId++, method: b.method || '*', path: b.path || '.*', host: b.host || '*', kind: b.kind || 'server_error',
      count: b.count === undefined ? 1 : b.count, skip: b.skip || 0,
      status: b.status || (b.kind === 'error' ? 400 : 500), retry_after: b.retry_after === undefined ? 1 : b.retry_after,
      error_code: b.error_code || '', message: b.message || '', delay_ms: b.delay_ms === undefined ? 2000 : b.delay_ms,
    };
    f.re = new RegExp(f.path);  // throws (-> 400) on a bad pattern
    faults.push(f);
    return reply(201, { id: f.id });
  }
  if (method === 'DELETE' && p === '/_control/faults') { faults = []; return reply(200, {}); }
  if (method === 'GET' && p === '/_control/requests') return reply(200, requestLog);
  if (method === 'DELETE' && p === '/_control/requests') { requestLog = []; return reply(200, {}); }
  return reply(404, { message: `no control route ${method} ${p}` });
}

// ---- faults ----------------------------------------------------------------
function matchFault(method, path, host) {
  for (const f of faults) {
    if (f.count === 0) continue;
    if (f.method !== '*' && f.method !== method) continue;
    if (f.host !== '*' && f.host !== host) continue;
    if (!f.re.test(path)) continue;
    if (f.skip > 0) { f.skip--; continue; }
    if (f.count > 0) f.count--;
    return f;
  }
  return null;
}

// "M/D/YYYY h:mm:ss AM" in UTC, as Fabric writes the end of a block.
function blockedUntil(seconds) {
  const d = new Date(Date.now() + seconds * 1000);
  const h = d.getUTCHours();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

function answerFault(c, f) {
  switch (f.kind) {
    case 'throttle': {
      const wait = f.retry_after === null ? 1 : f.retry_after;
      return fabricError(c, 429, f.error_code || 'RequestBlocked', f.message || `Request is blocked by the upstream service until: ${blockedUntil(wait)} (UTC)`,
        { isRetriable: true }, f.retry_after === null ? {} : { 'Retry-After': String(f.retry_after) });
    }
    case 'token_expired':
      return fabricError(c, 401, 'TokenExpired', 'Access token has expired, resubmit with a new access token');
    case 'error':
      return fabricError(c, f.status, f.error_code || 'BadRequest', f.message || 'The request could not be processed');
    default:  // server_error
      return fabricError(c, f.status, f.error_code || 'InternalServerError', f.message || 'An internal error occurred', { isRetriable: true });
  }
}

// ---- dispatch --------------------------------------------------------------
function authorize(c) {
  const auth = c.req.headers.authorization || '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  const t = m ? state.tokens.get(m[1]) : undefined;
  if (!t) return fabricError(c, 401, 'InvalidToken', 'Access token is invalid');
  if (t.expired || Date.now() >= t.expiresAt) return fabricError(c, 401, 'TokenExpired', 'Access token has expired, resubmit with a new access token');
  return 0;
}

async function handle(req, res, host) {
  const text = await readBody(req);
  const url = new URL(req.url, 'http://local');
  const c = { req, res, host, url, query: url.searchParams, requestId: uuid(), params: {}, body: {}, fault: null };
  if (url.pathname.startsWith('/_control/')) {
    c.body = parseJson(text) || {};
    return control(c, req.method, url.pathname);
  }
  const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
  const entry = { method: req.method, path: url.pathname, query: url.search.replace(/^\?/, ''), host,
    authorization: req.headers.authorization !== undefined, body: text, status: 0, fault: null };
  requestLog.push(entry);
  if (tokenPath && req.method === 'POST') {
    entry.body = text.replace(/(client_secret|client_assertion)=[^&]*/g, '$1=<redacted>');
    entry.status = token(res, decodeURIComponent(tokenPath[1]), new URLSearchParams(text));
    return;
  }
  if (url.pathname === '/_github/oidc/token' && req.method === 'GET') {
    entry.status = githubOidc(c);
    return;
  }
  const f = matchFault(req.method, url.pathname, host);
  if (f) entry.fault = f.kind;
  if (f && f.kind === 'drop') { req.socket.destroy(); return; }
  if (f && f.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, f.delay_ms));
  if (f && !['slow', 'drop_after_write', 'operation_failed'].includes(f.kind)) {
    entry.status = answerFault(c, f);
    return;
  }
  const denied = authorize(c);
  if (denied) { entry.status = denied; return; }
  if (f && f.kind === 'operation_failed') {
    c.fault = { errorCode: f.error_code || 'OperationFailed', message: f.message || 'The operation failed' };
  }
  const body = parseJson(text);
  if (body === undefined) {
    entry.status = fabricError(c, 400, 'InvalidInput', 'The request body is not valid JSON');
    return;
  }
  c.body = body || {};
  for (const r of routes) {
    if (r.method !== req.method) continue;
    const m = r.re.exec(url.pathname);
    if (!m) continue;
    c.params = m.groups || {};
    if (f && f.kind === 'drop_after_write') {
      c.res = { writeHead() { return this; }, end() {} };  // do the work, answer nobody
      entry.status = r.handler(c);
      if (c.operation) {  // nobody will poll it: it runs to its end
        c.operation.pollsLeft = 0;
        advance(c.operation);
      }
      req.socket.destroy();
      return;
    }
    entry.status = r.handler(c);
    return;
  }
  entry.status = fabricError(c, 404, 'EntityNotFound', `No route for ${req.method} ${url.pathname}`);
}

function serve(host) {
  const server = http.createServer((req, res) => {
    handle(req, res, host).catch((e) => {
      process.stderr.write(`fabric server: ${e.stack || e}\n`);
      if (!res.headersSent) {
        const text = JSON.stringify({ message: String(e.message || e) });
        res.writeHead(req.url.startsWith('/_control/') ? 400 : 500, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      }
    });
  });
  server.keepAliveTimeout = 60000;
  return server;
}

reset();
const api = serve('api');
const ops = serve('ops');
api.listen(0, '127.0.0.1', () => {
  ops.listen(0, '127.0.0.1', () => {
    apiBase = `http://127.0.0.1:${api.address().port}`;
    opsBase = `http://127.0.0.1:${ops.address().port}`;
    process.stdout.write(`listening ${api.address().port} ${ops.address().port}\n`);
  });
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
