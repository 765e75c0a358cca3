// SPDX-License-Identifier: MIT
// A local GitHub REST API for tests: keeps state like GitHub (users, pull requests,
// their commits and reviews, issues, issue comments, deployments and their statuses)
// and answers with the shapes of real GitHub responses (field names and nesting
// taken from the recordings in shared/testdata/github-api). No npm dependencies.
//
//   node server.js [--token T] [--repository owner/name] [--login L] [--login-type Bot|User]
//
// --token belongs to --login; more tokens can be registered (POST /_control/tokens),
// each acting as its own user: whatever a request creates (comments, statuses,
// issues, pulls, deployments) is authored by the user of the token it carried, as
// on GitHub. A token of an integration (a Bot login: GITHUB_TOKEN, an App
// installation) gets GitHub's 403 "Resource not accessible by integration" from
// GET /user; a user's token gets the user.
//
// Listens on 127.0.0.1 on a free port and prints `listening <port>` on stdout when
// ready (nothing else is ever written to stdout). Exits when stdin closes, so it
// never outlives the test process that started it.
//
// API (auth: `Authorization: Bearer <token>` or `token <token>`, else 401):
//   GET    /user                                       (403 for an integration's token)
//   GET    /repos/{o}/{r}/pulls?state&head&base       PATCH/GET /repos/{o}/{r}/pulls/{n}
//   POST   /repos/{o}/{r}/pulls                        GET /repos/{o}/{r}/pulls/{n}/reviews
//   GET    /repos/{o}/{r}/pulls/{n}/commits            GET /repos/{o}/{r}/commits/{sha}/pulls
//   GET    /repos/{o}/{r}/issues?state&labels          POST /repos/{o}/{r}/issues
//   GET    /repos/{o}/{r}/issues/{n}                   PATCH /repos/{o}/{r}/issues/{n}
//   GET    /repos/{o}/{r}/issues/{n}/comments (since)  POST /repos/{o}/{r}/issues/{n}/comments
//   GET    /repos/{o}/{r}/issues/comments/{id}         PATCH /repos/{o}/{r}/issues/comments/{id}
//   GET    /repos/{o}/{r}/deployments?environment&ref&task&sha  POST /repos/{o}/{r}/deployments
//   GET/DELETE /repos/{o}/{r}/deployments/{id}         (DELETE: 422 for an active one unless it is the only one)
//   GET    /repos/{o}/{r}/deployments/{id}/statuses    POST /repos/{o}/{r}/deployments/{id}/statuses (auto_inactive)
//   POST   /repos/{o}/{r}/statuses/{sha}               GET /repos/{o}/{r}/commits/{ref}/statuses (newest first)
//   GET    /repos/{o}/{r}/actions/runs/{id}            GET /repos/{o}/{r}/actions/runs/{id}/approvals
//   GET    /repos/{o}/{r}/rules/branches/{branch}
//   GET/POST /repos/{o}/{r}/issues/comments/{id}/reactions     GET /repos/{o}/{r}/collaborators/{login}/permission
//   GET/PUT  /repos/{o}/{r}/environments/{name}    GET/POST /repos/{o}/{r}/environments/{name}/deployment-branch-policies
//   GET/PUT  /repos/{o}/{r}/branches/{branch}/protection   (admin routes: 403 unless the token's user is an admin
//            collaborator; an integration's token always 403, as GITHUB_TOKEN has no administration permission)
// Like GitHub, GET /pulls/{n}/commits lists at most 250 commits; the full pull
// shape's `commits` counts them all.
// Lists paginate with per_page (default 30, max 100) and page, with Link headers.
//
// Control API (no auth, JSON; `repo` defaults to --repository):
//   POST   /_control/reset                  forget all state, faults and the request log
//   POST   /_control/seed                   {repo?, users:[{login,type?}], branches:{ref:sha},
//            pulls:[{number?,title?,body?,state?,merged?,head:{ref,sha},base:{ref,sha?},
//                    merge_commit_sha?,user?,draft?,               // head.sha / commit_id null: sent as null
//                    commits:[{sha,author?,committer?,message?}], reviews:[{user,state,commit_id?,body?}]}],
//            issues:[{number?,title,body?,state?,labels?,user?}],
//            comments:[{issue,body,user?,created_at?}], commit_pulls:{sha:[number]},  // created_at: also updated_at
//            reviews:{"<pr number>":[{user,state,commit_id?,body?}]},   // on existing PRs
//            statuses:{sha:[{state,context,description?,target_url?,creator?}]},  // oldest first
//            runs:[{id,actor,triggering_actor?,event?,head_sha?,head_branch?,status?,conclusion?,
//                   run_attempt?,name?,approvals?:[{user,state,environments:[names],comment?}]}],
//            run_approvals:{"<run id>":[{user,state,environments,comment?}]},   // on existing runs
//            rules:{"<branch>":[{type,parameters?}]},                          // active ruleset rules
//            collaborators:{login: "admin"|"maintain"|"write"|"triage"|"read"},
//            reactions:[{comment:id, user, content?:"+1"}]}
//            -> {pulls:[numbers], issues:[numbers], comments:[ids]}
//   POST   /_control/tokens                 {token, login, type?: "User"|"Bot", integration?: bool}
//                                           another token, acting as `login` (integration defaults to Bot)
//   GET    /_control/state?repo=            everything, in API shapes: {pulls, issues, comments, reviews,
//                                           deployments, statuses, commit_statuses:{sha:[newest first]}, runs}
//   GET    /_control/comments?issue=N&repo= the comments of one issue (API shape)
//   POST   /_control/faults                 {method:"*"|"GET"…, path:"<regex on the path>",
//            kind:"rate_limit_429"|"secondary_rate_limit"|"primary_rate_limit"|"server_error"|
//                 "drop_after_write"|"slow"|"endless_pages"|"looping_pages"|"huge_body"|"alter",
//            count:1 (-1 = always), skip:0, probability:1,
//            status:502, retry_after:1 (seconds; null = no header), reset_in:1 (seconds),
//            delay_ms:2000, bytes:0 and chunked:false (huge_body: a JSON array that long, without
//            Content-Length when chunked), set:{} (alter: merged into the answer's JSON, into each
//            item of a list; a null sets null)} -> {id}
//            endless_pages answers [] with a Link rel="next" to the next page, forever;
//            looping_pages answers [] with a Link rel="next" to the page just asked for.
//   DELETE /_control/faults                 remove every fault
//   GET    /_control/requests               the request log: [{method, path, headers, body, status, fault}]
//                                           (headers lower-cased; authorization recorded as "<redacted>")
//   DELETE /_control/requests               clear the log
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');

// ---- options ---------------------------------------------------------------
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const TOKEN = option('token', 'test-token');
const DEFAULT_REPO = option('repository', 'octo-org/octo-repo');
const SELF_LOGIN = option('login', 'github-actions[bot]');
const SELF_TYPE = option('login-type', SELF_LOGIN.endsWith('[bot]') ? 'Bot' : 'User');
const WEB = 'https://github.com';
const DOCS = 'https://docs.github.com/rest';

// ---- state -----------------------------------------------------------------
let state;
let faults;
let requestLog;
let nextFaultId;

function reset() {
  state = { nextId: 1000001, nextUserId: 100, users: new Map(), repos: new Map(), repoIds: 5000, tokens: new Map() };
  faults = [];
  requestLog = [];
  nextFaultId = 1;
  addToken(TOKEN, SELF_LOGIN, SELF_TYPE);
}

function addToken(token, login, type, integration) {
  const u = user(login, type);
  const entry = { login: u.login, integration: integration === undefined ? u.type === 'Bot' : !!integration };
  state.tokens.set(token, entry);
  return entry;
}

function newId() { return state.nextId++; }
function now() { return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'); }
function fakeSha(seed) { return crypto.createHash('sha1').update(String(seed)).digest('hex'); }

function user(login, type) {
  if (login === null || login === undefined) return null;
  let u = state.users.get(login);
  if (!u) {
    u = { login, id: state.nextUserId++, type: type || (login.endsWith('[bot]') ? 'Bot' : 'User') };
    state.users.set(login, u);
  } else if (type) {
    u.type = type;
  }
  return u;
}

function repo(fullName) {
  const name = fullName || DEFAULT_REPO;
  let r = state.repos.get(name);
  if (!r) {
    const [owner, repoName] = name.split('/');
    r = {
      owner, name: repoName, full_name: name, id: state.repoIds++, nextNumber: 1,
      pulls: new Map(), issues: new Map(), comments: [], branches: new Map(),
      commitPulls: new Map(), deployments: [], statuses: new Map(), commitStatuses: new Map(), runs: new Map(),
      rules: new Map(),
      collaborators: new Map(), environments: new Map(), protections: new Map(),
    };
    state.repos.set(name, r);
  }
  return r;
}

function takeNumber(r, wanted) {
  const n = wanted || r.nextNumber;
  r.nextNumber = Math.max(r.nextNumber, n + 1);
  return n;
}

function associate(r, sha, number) {
  if (!sha) return;
  if (!r.commitPulls.has(sha)) r.commitPulls.set(sha, new Set());
  r.commitPulls.get(sha).add(number);
}

function addPull(r, p) {
  const number = takeNumber(r, p.number);
  const headRef = (p.head && p.head.ref) || `branch-${number}`;
  const headSha = p.head && p.head.sha === null ? null
    : (p.head && p.head.sha) || r.branches.get(headRef) || fakeSha(`${r.full_name}:${headRef}:${number}`);
  const baseRef = (p.base && p.base.ref) || 'main';
  const created = now();
  const merged = !!p.merged;
  const pull = {
    number, title: p.title || `Pull request ${number}`, body: p.body === undefined ? '' : p.body,
    state: merged ? 'closed' : (p.state || 'open'), merged, draft: !!p.draft,
    head: { ref: headRef, sha: headSha }, base: { ref: baseRef, sha: (p.base && p.base.sha) || r.branches.get(baseRef) || fakeSha(baseRef) },
    merge_commit_sha: p.merge_commit_sha === undefined ? fakeSha(`merge:${r.full_name}:${number}`) : p.merge_commit_sha,
    user: user(p.user || 'octocat').login, labels: p.labels || [],
    created_at: created, updated_at: created, closed_at: null, merged_at: null,
    commits: [], reviews: [],
  };
  if (pull.state === 'closed') pull.closed_at = created;
  if (merged) pull.merged_at = created;
  for (const c of p.commits || []) {
    pull.commits.push({
      sha: c.sha, message: c.message || `commit ${c.sha.slice(0, 7)}`,
      author: c.author === undefined ? pull.user : c.author,
      committer: c.committer === undefined ? (c.author === undefined ? pull.user : c.author) : c.committer,
    });
    if (c.author) user(c.author);
    if (c.committer) user(c.committer);
    associate(r, c.sha, number);
  }
  if (pull.commits.length === 0) {
    pull.commits.push({ sha: headSha, message: pull.title, author: pull.user, committer: pull.user });
  }
  associate(r, headSha, number);
  if (merged && pull.merge_commit_sha) associate(r, pull.merge_commit_sha, number);
  for (const rv of p.reviews || []) addReview(r, pull, rv);
  r.pulls.set(number, pull);
  return pull;
}

function addReview(r, pull, rv) {
  const review = {
    id: newId(), user: user(rv.user).login, state: rv.state || 'APPROVED', body: rv.body || '',
    commit_id: rv.commit_id === null ? null : rv.commit_id || pull.head.sha, submitted_at: rv.state === 'PENDING' ? undefined : now(),
  };
  pull.reviews.push(review);
  return review;
}

function addIssue(r, i, author) {
  const number = takeNumber(r, i.number);
  const created = now();
  const issue = {
    number, title: i.title || `Issue ${number}`, body: i.body === undefined ? null : i.body,
    state: i.state || 'open', labels: (i.labels || []).map(String), user: user(i.user || author || SELF_LOGIN).login,
    created_at: created, updated_at: created, closed_at: i.state === 'closed' ? created : null,
  };
  r.issues.set(number, issue);
  return issue;
}

function addComment(r, issueNumber, body, login, createdAt) {
  const created = createdAt || now();
  const comment = { id: newId(), issue: issueNumber, body, user: user(login || SELF_LOGIN).login, created_at: created, updated_at: created };
  r.comments.push(comment);
  return comment;
}

// ---- GitHub shapes ---------------------------------------------------------
function userJson(base, login) {
  if (login === null || login === undefined) return null;
  const u = user(login);
  const api = `${base}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login, id: u.id, node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`, gravatar_id: '', url: api,
    html_url: `${WEB}/${u.login}`, followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`, gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`, subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`, repos_url: `${api}/repos`, events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`, type: u.type, site_admin: false,
  };
}

function repoJson(base, r) {
  const api = `${base}/repos/${r.full_name}`;
  return {
    id: r.id, node_id: Buffer.from(`010:Repository${r.id}`).toString('base64'), name: r.name,
    full_name: r.full_name, private: true, owner: userJson(base, r.owner), html_url: `${WEB}/${r.full_name}`,
    description: null, fork: false, url: api, forks_url: `${api}/forks`, keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`, teams_url: `${api}/teams`, hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`, events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`, branches_url: `${api}/branches{/branch}`, tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`, git_tags_url: `${api}/git/tags{/sha}`, git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`, statuses_url: `${api}/statuses/{sha}`, languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`, contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`, subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`, git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`, issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`, compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`, archive_url: `${api}/{archive_format}{/ref}`, downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`, pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`, notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`, releases_url: `${api}/releases{/id}`, deployments_url: `${api}/deployments`,
    created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z', pushed_at: '2020-01-01T00:00:00Z',
    git_url: `git://github.com/${r.full_name}.git`, ssh_url: `git@github.com:${r.full_name}.git`,
    clone_url: `${WEB}/${r.full_name}.git`, svn_url: `${WEB}/${r.full_name}`, homepage: null, size: 1,
    stargazers_count: 0, watchers_count: 0, language: null, has_issues: true, has_projects: true,
    has_downloads: true, has_wiki: true, has_pages: false, forks_count: 0, mirror_url: null, archived: false,
    disabled: false, open_issues_count: 0, license: null, forks: 0, open_issues: 0, watchers: 0, default_branch: 'main',
  };
}

function labelJson(base, r, name) {
  return {
    id: Number.parseInt(fakeSha(name).slice(0, 8), 16), node_id: Buffer.from(`Label:${name}`).toString('base64'),
    url: `${base}/repos/${r.full_name}/labels/${encodeURIComponent(name)}`, name, color: 'ededed', default: false, description: null,
  };
}

// `full`: the GET/POST/PATCH single-pull shape (merged, mergeable, counts); lists use the simple shape.
function pullJson(base, r, p, full) {
  const api = `${base}/repos/${r.full_name}`;
  const html = `${WEB}/${r.full_name}/pull/${p.number}`;
  const side = (s) => ({ label: `${r.owner}:${s.ref}`, ref: s.ref, sha: s.sha, user: userJson(base, r.owner), repo: repoJson(base, r) });
  const j = {
    url: `${api}/pulls/${p.number}`, id: 400000000 + p.number, node_id: Buffer.from(`011:PullRequest${p.number}`).toString('base64'),
    html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, issue_url: `${api}/issues/${p.number}`,
    number: p.number, state: p.state, locked: false, title: p.title, user: userJson(base, p.user), body: p.body,
    created_at: p.created_at, updated_at: p.updated_at, closed_at: p.closed_at, merged_at: p.merged_at,
    merge_commit_sha: p.merge_commit_sha, assignee: null, assignees: [], requested_reviewers: [], requested_teams: [],
    labels: p.labels.map((l) => labelJson(base, r, l)), milestone: null, draft: p.draft,
    commits_url: `${api}/pulls/${p.number}/commits`, review_comments_url: `${api}/pulls/${p.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`, comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.head.sha}`, head: side(p.head), base: side(p.base),
    _links: {
      self: { href: `${api}/pulls/${p.number}` }, html: { href: html }, issue: { href: `${api}/issues/${p.number}` },
      comments: { href: `${api}/issues/${p.number}/comments` }, review_comments: { href: `${api}/pulls/${p.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` }, commits: { href: `${api}/pulls/${p.number}/commits` },
      statuses: { href: `${api}/statuses/${p.head.sha}` },
    },
    author_association: 'CONTRIBUTOR', auto_merge: null, active_lock_reason: null,
  };
  if (full) {
    Object.assign(j, {
      merged: p.merged, mergeable: p.state === 'open' ? true : null, rebaseable: p.state === 'open' ? true : null,
      mergeable_state: p.state === 'open' ? 'clean' : 'unknown', merged_by: p.merged ? userJson(base, p.user) : null,
      comments: r.comments.filter((c) => c.issue === p.number).length, review_comments: 0, maintainer_can_modify: false,
      commits: p.commits.length, additions: 1, deletions: 1, changed_files: 1,
    });
  }
  return j;
}

function reviewJson(base, r, p, rv) {
  const html = `${WEB}/${r.full_name}/pull/${p.number}#pullrequestreview-${rv.id}`;
  const pullUrl = `${base}/repos/${r.full_name}/pulls/${p.number}`;
  const j = {
    id: rv.id, node_id: Buffer.from(`PRR_${rv.id}`).toString('base64'), user: userJson(base, rv.user), body: rv.body,
    state: rv.state, html_url: html, pull_request_url: pullUrl, author_association: 'COLLABORATOR',
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
  };
  if (rv.submitted_at) j.submitted_at = rv.submitted_at;
  j.commit_id = rv.commit_id;
  return j;
}

function commitJson(base, r, c) {
  const api = `${base}/repos/${r.full_name}`;
  const person = (login) => ({ name: login || 'Unknown', email: `${login || 'unknown'}@users.noreply.github.com`, date: '2024-01-01T00:00:00Z' });
  const tree = fakeSha(`tree:${c.sha}`);
  return {
    sha: c.sha, node_id: Buffer.from(`06:Commit${c.sha}`).toString('base64'),
    commit: {
      author: person(c.author), committer: person(c.committer), message: c.message,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` }, url: `${api}/git/commits/${c.sha}`, comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${c.sha}`, html_url: `${WEB}/${r.full_name}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    author: userJson(base, c.author), committer: userJson(base, c.committer), parents: [],
  };
}

function reactions(url) {
  return { url, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

function commentJson(base, r, c) {
  const api = `${base}/repos/${r.full_name}`;
  const kind = r.pulls.has(c.issue) ? 'pull' : 'issues';
  return {
    url: `${api}/issues/comments/${c.id}`, html_url: `${WEB}/${r.full_name}/${kind}/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${api}/issues/${c.issue}`, id: c.id, node_id: Buffer.from(`IC_${c.id}`).toString('base64'),
    user: userJson(base, c.user), created_at: c.created_at, updated_at: c.updated_at, author_association: 'NONE',
    body: c.body, reactions: reactions(`${api}/issues/comments/${c.id}/reactions`), performed_via_github_app: null,
  };
}

function issueJson(base, r, i) {
  const api = `${base}/repos/${r.full_name}`;
  return {
    url: `${api}/issues/${i.number}`, repository_url: api, labels_url: `${api}/issues/${i.number}/labels{/name}`,
    comments_url: `${api}/issues/${i.number}/comments`, events_url: `${api}/issues/${i.number}/events`,
    html_url: `${WEB}/${r.full_name}/issues/${i.number}`, id: 700000000 + i.number,
    node_id: Buffer.from(`I_${i.number}`).toString('base64'), number: i.number, title: i.title,
    user: userJson(base, i.user), labels: i.labels.map((l) => labelJson(base, r, l)), state: i.state, locked: false,
    assignee: null, assignees: [], milestone: null, comments: r.comments.filter((c) => c.issue === i.number).length,
    created_at: i.created_at, updated_at: i.updated_at, closed_at: i.closed_at, author_association: 'NONE',
    active_lock_reason: null, body: i.body, reactions: reactions(`${api}/issues/${i.number}/reactions`),
    timeline_url: `${api}/issues/${i.number}/timeline`, performed_via_github_app: null,
    state_reason: i.state === 'closed' ? 'completed' : null,
  };
}

// A pull request as it appears in the issues list (GitHub lists PRs as issues).
function pullAsIssueJson(base, r, p) {
  const j = issueJson(base, r, { ...p, body: p.body, closed_at: p.closed_at });
  j.html_url = `${WEB}/${r.full_name}/pull/${p.number}`;
  j.pull_request = {
    url: `${base}/repos/${r.full_name}/pulls/${p.number}`, html_url: j.html_url,
    diff_url: `${j.html_url}.diff`, patch_url: `${j.html_url}.patch`, merged_at: p.merged_at,
  };
  return j;
}

function deploymentJson(base, r, d) {
  const api = `${base}/repos/${r.full_name}/deployments/${d.id}`;
  return {
    url: api, id: d.id, node_id: Buffer.from(`DE_${d.id}`).toString('base64'), sha: d.sha, ref: d.ref, task: d.task,
    payload: d.payload, original_environment: d.environment, environment: d.environment, description: d.description,
    creator: userJson(base, d.creator), created_at: d.created_at, updated_at: d.updated_at,
    statuses_url: `${api}/statuses`, repository_url: `${base}/repos/${r.full_name}`,
    transient_environment: d.transient_environment, production_environment: d.production_environment,
  };
}

function statusJson(base, r, d, s) {
  const api = `${base}/repos/${r.full_name}/deployments/${d.id}`;
  return {
    url: `${api}/statuses/${s.id}`, id: s.id, node_id: Buffer.from(`DES_${s.id}`).toString('base64'), state: s.state,
    creator: userJson(base, s.creator), description: s.description, environment: s.environment,
    target_url: s.log_url, created_at: s.created_at, updated_at: s.created_at, deployment_url: api,
    repository_url: `${base}/repos/${r.full_name}`, environment_url: s.environment_url, log_url: s.log_url,
  };
}

function commitStatusJson(base, r, sha, s) {
  const creator = userJson(base, s.creator);
  return {
    url: `${base}/repos/${r.full_name}/statuses/${sha}`, avatar_url: creator ? creator.avatar_url : null, id: s.id,
    node_id: Buffer.from(`SC_${s.id}`).toString('base64'), state: s.state, description: s.description,
    target_url: s.target_url, context: s.context, created_at: s.created_at, updated_at: s.created_at, creator,
  };
}

function environmentJson(base, r, name) {
  const id = Number.parseInt(fakeSha(`env:${r.full_name}:${name}`).slice(0, 8), 16);
  return {
    id, node_id: Buffer.from(`EN_${id}`).toString('base64'), name,
    url: `${base}/repos/${r.full_name}/environments/${encodeURIComponent(name)}`,
    html_url: `${WEB}/${r.full_name}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z',
  };
}

function approvalJson(base, r, a) {
  return {
    state: a.state, comment: a.comment, environments: a.environments.map((e) => environmentJson(base, r, e)),
    user: userJson(base, a.user),
  };
}

function runJson(base, r, run) {
  const api = `${base}/repos/${r.full_name}/actions/runs/${run.id}`;
  return {
    id: run.id, name: run.name, node_id: Buffer.from(`WFR_${run.id}`).toString('base64'), check_suite_id: run.id + 1,
    check_suite_node_id: Buffer.from(`CS_${run.id + 1}`).toString('base64'), head_branch: run.head_branch,
    head_sha: run.head_sha, path: '.github/workflows/deploy.yml@main', run_number: run.id % 1000, event: run.event,
    display_title: run.name, status: run.status, conclusion: run.conclusion, workflow_id: 159038, url: api,
    html_url: `${WEB}/${r.full_name}/actions/runs/${run.id}`, pull_requests: [], created_at: run.created_at,
    updated_at: run.created_at, actor: userJson(base, run.actor), run_attempt: run.run_attempt, referenced_workflows: [],
    run_started_at: run.created_at, triggering_actor: userJson(base, run.triggering_actor), jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`, check_suite_url: `${base}/repos/${r.full_name}/check-suites/${run.id + 1}`,
    artifacts_url: `${api}/artifacts`, cancel_url: `${api}/cancel`, rerun_url: `${api}/rerun`,
    previous_attempt_url: run.run_attempt > 1 ? `${api}/attempts/${run.run_attempt - 1}` : null,
    workflow_url: `${base}/repos/${r.full_name}/actions/workflows/159038`,
    head_commit: { id: run.head_sha, tree_id: fakeSha(`tree:${run.head_sha}`), message: run.name, timestamp: run.created_at,
      author: { name: run.actor, email: `${run.actor}@users.noreply.github.com` },
      committer: { name: run.actor, email: `${run.actor}@users.noreply.github.com` } },
    repository: repoJson(base, r), head_repository: repoJson(base, r),
  };
}

function ruleJson(r, rule) {
  return { type: rule.type, ruleset_source_type: 'Repository', ruleset_source: r.full_name, ruleset_id: rule.ruleset_id,
    parameters: rule.parameters };
}

// ---- HTTP plumbing ---------------------------------------------------------
// `patch` merged into `value` (objects recursively; anything else replaces).
function merged(value, patch) {
  if (Array.isArray(value)) return value.map((item) => merged(item, patch));
  if (value === null || typeof value !== 'object' || patch === null || typeof patch !== 'object') return patch;
  const out = { ...value };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && out[k] !== null && typeof out[k] === 'object'
      ? merged(out[k], v) : v;
  }
  return out;
}

function send(res, status, body, headers = {}) {
  if (res.alterWith && body !== undefined && status >= 200 && status < 300) body = merged(body, res.alterWith);
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text),
    'X-GitHub-Api-Version-Selected': '2022-11-28', 'X-RateLimit-Limit': '5000', 'X-RateLimit-Remaining': '4999',
    'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600), 'X-GitHub-Request-Id': crypto.randomUUID(),
    ...headers,
  });
  res.end(text);
  return status;
}

function error(res, status, message, docs, extra = {}) {
  return send(res, status, { message, ...extra, documentation_url: docs || DOCS, status: String(status) });
}

const notFound = (res) => error(res, 404, 'Not Found');

function validation(res, message, docs, resource = 'Issue') {
  return send(res, 422, {
    message: 'Validation Failed', errors: [{ resource, code: 'custom', message }],
    documentation_url: docs || DOCS, status: '422',
  });
}

function paginate(req, res, base, items) {
  const url = new URL(req.url, base);
  const perPage = Math.min(Math.max(Number.parseInt(url.searchParams.get('per_page') || '30', 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(url.searchParams.get('page') || '1', 10) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n, rel) => {
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return send(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length ? { Link: links.join(', ') } : {});
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseJson(text) {
  if (!text) return {};
  try { return JSON.parse(text); } catch { return undefined; }
}

// ---- faults ----------------------------------------------------------------
function matchFault(method, path) {
  for (const f of faults) {
    if (f.count === 0) continue;
    if (f.method !== '*' && f.method !== method) continue;
    if (!new RegExp(f.path).test(path)) continue;
    if (f.skip > 0) { f.skip--; continue; }
    if (Math.random() >= f.probability) continue;
    if (f.count > 0) f.count--;
    return f;
  }
  return null;
}

// ---- routes ----------------------------------------------------------------
const routes = [];
function route(method, pattern, handler) {
  // {name} is one path segment; {name*} the rest of the path (a branch with slashes).
  const re = new RegExp('^' + pattern.replace(/\{(\w+)\*\}/g, '(?<$1>.+)').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)') + '$');
  routes.push({ method, re, handler });
}

function needPull(r, n) { return r.pulls.get(Number(n)); }

route('GET', '/repos/{o}/{r}/pulls', (c) => {
  const st = c.query.get('state') || 'open';
  const head = c.query.get('head');
  const baseRef = c.query.get('base');
  const list = [...c.repo.pulls.values()].filter((p) =>
    (st === 'all' || p.state === st) &&
    (!head || head === `${c.repo.owner}:${p.head.ref}` || (!head.includes(':') && head === p.head.ref)) &&
    (!baseRef || p.base.ref === baseRef)).sort((a, b) => b.number - a.number);
  return paginate(c.req, c.res, c.base, list.map((p) => pullJson(c.base, c.repo, p, false)));
});
route('GET', '/repos/{o}/{r}/pulls/{n}', (c) => {
  const p = needPull(c.repo, c.params.n);
  return p ? send(c.res, 200, pullJson(c.base, c.repo, p, true)) : notFound(c.res);
});
route('POST', '/repos/{o}/{r}/pulls', (c) => {
  const b = c.body;
  if (!b.head || !b.base) return validation(c.res, 'head and base are required', `${DOCS}/pulls/pulls#create-a-pull-request`);
  const headRef = b.head.includes(':') ? b.head.split(':')[1] : b.head;
  const existing = [...c.repo.pulls.values()].find((p) => p.state === 'open' && p.head.ref === headRef && p.base.ref === b.base);
  if (existing) {
    return send(c.res, 422, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${c.repo.owner}:${headRef}.` }],
      documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`, status: '422',
    });
  }
  const p = addPull(c.repo, { title: b.title, body: b.body === undefined ? null : b.body, head: { ref: headRef }, base: { ref: b.base },
    user: c.actor.login, draft: b.draft, merge_commit_sha: null });
  return send(c.res, 201, pullJson(c.base, c.repo, p, true), { Location: `${c.base}/repos/${c.repo.full_name}/pulls/${p.number}` });
});
route('PATCH', '/repos/{o}/{r}/pulls/{n}', (c) => {
  const p = needPull(c.repo, c.params.n);
  if (!p) return notFound(c.res);
  for (const k of ['title', 'body']) if (c.body[k] !== undefined) p[k] = c.body[k];
  if (c.body.base !== undefined) p.base.ref = c.body.base;
  if (c.body.state !== undefined && !p.merged) {
    p.state = c.body.state;
    p.closed_at = p.state === 'closed' ? now() : null;
  }
  p.updated_at = now();
  return send(c.res, 200, pullJson(c.base, c.repo, p, true));
});
route('GET', '/repos/{o}/{r}/pulls/{n}/reviews', (c) => {
  const p = needPull(c.repo, c.params.n);
  return p ? paginate(c.req, c.res, c.base, p.reviews.map((rv) => reviewJson(c.base, c.repo, p, rv))) : notFound(c.res);
});
route('GET', '/repos/{o}/{r}/pulls/{n}/commits', (c) => {
  const p = needPull(c.repo, c.params.n);
  // GitHub lists at most 250 commits of a pull request (the full shape counts them all).
  return p ? paginate(c.req, c.res, c.base, p.commits.slice(0, 250).map((cm) => commitJson(c.base, c.repo, cm))) : notFound(c.res);
});
route('GET', '/repos/{o}/{r}/commits/{sha}/pulls', (c) => {
  const numbers = [...(c.repo.commitPulls.get(c.params.sha) || [])].sort((a, b) => a - b);
  return paginate(c.req, c.res, c.base, numbers.map((n) => pullJson(c.base, c.repo, c.repo.pulls.get(n), false)));
});
route('GET', '/repos/{o}/{r}/issues', (c) => {
  const st = c.query.get('state') || 'open';
  const wanted = (c.query.get('labels') || '').split(',').filter(Boolean);
  const matches = (x) => (st === 'all' || x.state === st) && wanted.every((l) => x.labels.includes(l));
  const items = [
    ...[...c.repo.issues.values()].filter(matches).map((i) => ({ n: i.number, j: issueJson(c.base, c.repo, i) })),
    ...[...c.repo.pulls.values()].filter(matches).map((p) => ({ n: p.number, j: pullAsIssueJson(c.base, c.repo, p) })),
  ].sort((a, b) => b.n - a.n);
  return paginate(c.req, c.res, c.base, items.map((x) => x.j));
});
route('POST', '/repos/{o}/{r}/issues', (c) => {
  if (!c.body.title) return validation(c.res, 'title is required', `${DOCS}/issues/issues#create-an-issue`);
  const i = addIssue(c.repo, { title: c.body.title, body: c.body.body, labels: c.body.labels }, c.actor.login);
  return send(c.res, 201, issueJson(c.base, c.repo, i), { Location: `${c.base}/repos/${c.repo.full_name}/issues/${i.number}` });
});
route('GET', '/repos/{o}/{r}/issues/{n}', (c) => {
  const n = Number(c.params.n);
  if (c.repo.issues.has(n)) return send(c.res, 200, issueJson(c.base, c.repo, c.repo.issues.get(n)));
  if (c.repo.pulls.has(n)) return send(c.res, 200, pullAsIssueJson(c.base, c.repo, c.repo.pulls.get(n)));
  return notFound(c.res);
});
route('PATCH', '/repos/{o}/{r}/issues/{n}', (c) => {
  const i = c.repo.issues.get(Number(c.params.n));
  if (!i) return notFound(c.res);
  for (const k of ['title', 'body']) if (c.body[k] !== undefined) i[k] = c.body[k];
  if (c.body.labels !== undefined) i.labels = c.body.labels.map((l) => (typeof l === 'string' ? l : l.name));
  if (c.body.state !== undefined) {
    i.state = c.body.state;
    i.closed_at = i.state === 'closed' ? now() : null;
  }
  i.updated_at = now();
  return send(c.res, 200, issueJson(c.base, c.repo, i));
});
function issueExists(r, n) { return r.issues.has(Number(n)) || r.pulls.has(Number(n)); }
route('GET', '/repos/{o}/{r}/issues/{n}/comments', (c) => {
  if (!issueExists(c.repo, c.params.n)) return notFound(c.res);
  // `since`: only comments last updated at or after that time (ISO 8601), like GitHub.
  const since = Date.parse(new URL(c.req.url, c.base).searchParams.get('since') || '');
  const list = c.repo.comments.filter((cm) => cm.issue === Number(c.params.n) &&
                                              (Number.isNaN(since) || Date.parse(cm.updated_at) >= since));
  return paginate(c.req, c.res, c.base, list.map((cm) => commentJson(c.base, c.repo, cm)));
});
route('POST', '/repos/{o}/{r}/issues/{n}/comments', (c) => {
  if (!issueExists(c.repo, c.params.n)) return notFound(c.res);
  if (typeof c.body.body !== 'string') return validation(c.res, 'body is required', `${DOCS}/issues/comments#create-an-issue-comment`);
  if (c.body.body.length > 65536) return validation(c.res, 'Body is too long (maximum is 65536 characters)', `${DOCS}/issues/comments#create-an-issue-comment`);
  const cm = addComment(c.repo, Number(c.params.n), c.body.body, c.actor.login);
  return send(c.res, 201, commentJson(c.base, c.repo, cm), { Location: `${c.base}/repos/${c.repo.full_name}/issues/comments/${cm.id}` });
});
route('GET', '/repos/{o}/{r}/issues/comments/{id}', (c) => {
  const cm = c.repo.comments.find((x) => x.id === Number(c.params.id));
  return cm ? send(c.res, 200, commentJson(c.base, c.repo, cm)) : notFound(c.res);
});
route('PATCH', '/repos/{o}/{r}/issues/comments/{id}', (c) => {
  const cm = c.repo.comments.find((x) => x.id === Number(c.params.id));
  if (!cm) return notFound(c.res);
  if (typeof c.body.body !== 'string') return validation(c.res, 'body is required', `${DOCS}/issues/comments#update-an-issue-comment`);
  if (c.body.body.length > 65536) return validation(c.res, 'Body is too long (maximum is 65536 characters)', `${DOCS}/issues/comments#update-an-issue-comment`);
  cm.body = c.body.body;
  cm.updated_at = now();
  return send(c.res, 200, commentJson(c.base, c.repo, cm));
});
route('DELETE', '/repos/{o}/{r}/issues/comments/{id}', (c) => {
  const i = c.repo.comments.findIndex((x) => x.id === Number(c.params.id));
  if (i < 0) return notFound(c.res);
  c.repo.comments.splice(i, 1);
  c.res.writeHead(204);
  return c.res.end();
});
route('GET', '/repos/{o}/{r}/deployments', (c) => {
  // GitHub filters on sha, ref, task and environment, and lists newest first.
  const filters = ['environment', 'ref', 'task', 'sha'].map((k) => [k, c.query.get(k)]).filter(([, v]) => v);
  const list = c.repo.deployments.filter((d) => filters.every(([k, v]) => d[k] === v)).slice().reverse();
  return paginate(c.req, c.res, c.base, list.map((d) => deploymentJson(c.base, c.repo, d)));
});
route('GET', '/repos/{o}/{r}/deployments/{id}', (c) => {
  const d = c.repo.deployments.find((x) => x.id === Number(c.params.id));
  return d ? send(c.res, 200, deploymentJson(c.base, c.repo, d)) : notFound(c.res);
});
// Like GitHub: a deployment whose latest status is success is active and cannot be
// deleted, unless it is the repository's only one.
route('DELETE', '/repos/{o}/{r}/deployments/{id}', (c) => {
  const i = c.repo.deployments.findIndex((x) => x.id === Number(c.params.id));
  if (i < 0) return notFound(c.res);
  const d = c.repo.deployments[i];
  const latest = c.repo.statuses.get(d.id).at(-1);
  if (c.repo.deployments.length > 1 && latest && latest.state === 'success') {
    return validation(c.res, 'We cannot delete an active deployment unless it is the only deployment in a given environment.',
      `${DOCS}/deployments/deployments#delete-a-deployment`, 'Deployment');
  }
  c.repo.deployments.splice(i, 1);
  c.repo.statuses.delete(d.id);
  c.res.writeHead(204);
  return c.res.end();
});
route('POST', '/repos/{o}/{r}/deployments', (c) => {
  const b = c.body;
  if (!b.ref) return validation(c.res, 'ref is required', `${DOCS}/deployments/deployments#create-a-deployment`);
  const created = now();
  const environment = b.environment || 'production';
  const d = {
    id: newId(), ref: b.ref, sha: /^[0-9a-f]{40}$/.test(b.ref) ? b.ref : (c.repo.branches.get(b.ref) || fakeSha(b.ref)),
    task: b.task || 'deploy', payload: b.payload === undefined ? {} : b.payload, environment,
    description: b.description === undefined ? null : b.description, creator: c.actor.login, created_at: created, updated_at: created,
    transient_environment: !!b.transient_environment,
    production_environment: b.production_environment === undefined ? environment === 'production' : !!b.production_environment,
    auto_merge: b.auto_merge, required_contexts: b.required_contexts,
  };
  c.repo.deployments.push(d);
  c.repo.statuses.set(d.id, []);
  return send(c.res, 201, deploymentJson(c.base, c.repo, d));
});
route('GET', '/repos/{o}/{r}/deployments/{id}/statuses', (c) => {
  const d = c.repo.deployments.find((x) => x.id === Number(c.params.id));
  if (!d) return notFound(c.res);
  const list = c.repo.statuses.get(d.id).slice().reverse();
  return paginate(c.req, c.res, c.base, list.map((s) => statusJson(c.base, c.repo, d, s)));
});
route('POST', '/repos/{o}/{r}/deployments/{id}/statuses', (c) => {
  const d = c.repo.deployments.find((x) => x.id === Number(c.params.id));
  if (!d) return notFound(c.res);
  const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
  if (!states.includes(c.body.state)) return validation(c.res, `state is not included in the list`, `${DOCS}/deployments/statuses#create-a-deployment-status`);
  const s = {
    id: newId(), state: c.body.state, creator: c.actor.login, description: c.body.description || '',
    environment: c.body.environment || d.environment, log_url: c.body.log_url || c.body.target_url || '',
    environment_url: c.body.environment_url || '', created_at: now(),
  };
  c.repo.statuses.get(d.id).push(s);
  // auto_inactive (default true): a success makes the environment's earlier successful,
  // non-transient, non-production deployments inactive.
  if (s.state === 'success' && c.body.auto_inactive !== false) {
    for (const other of c.repo.deployments) {
      if (other.id === d.id || other.environment !== s.environment || other.transient_environment || other.production_environment) continue;
      const last = c.repo.statuses.get(other.id).at(-1);
      if (last && last.state === 'success') {
        c.repo.statuses.get(other.id).push({ ...last, id: newId(), state: 'inactive', creator: c.actor.login, created_at: now() });
      }
    }
  }
  return send(c.res, 201, statusJson(c.base, c.repo, d, s));
});

route('GET', '/user', (c) => {
  if (c.actor.integration) {
    return error(c.res, 403, 'Resource not accessible by integration', `${DOCS}/users/users#get-the-authenticated-user`);
  }
  const u = userJson(c.base, c.actor.login);
  return send(c.res, 200, { ...u, name: null, company: null, blog: '', location: null, email: null, hireable: null,
    bio: null, twitter_username: null, public_repos: 0, public_gists: 0, followers: 0, following: 0,
    created_at: '2020-01-01T00:00:00Z', updated_at: '2020-01-01T00:00:00Z',
    // the authenticated user's own profile carries its private counts
    private_gists: 0, total_private_repos: 0, owned_private_repos: 0, disk_usage: 0, collaborators: 0,
    two_factor_authentication: true, plan: { name: 'free', space: 976562499, private_repos: 10000, collaborators: 0 } });
});
function addCommitStatus(r, sha, s, creator) {
  const created = now();
  const status = { id: newId(), state: s.state, context: s.context || 'default',
    description: s.description === undefined ? null : s.description,
    target_url: s.target_url === undefined ? null : s.target_url, creator: user(creator).login, created_at: created };
  if (!r.commitStatuses.has(sha)) r.commitStatuses.set(sha, []);
  r.commitStatuses.get(sha).push(status);
  return status;
}
route('POST', '/repos/{o}/{r}/statuses/{sha}', (c) => {
  const docs = `${DOCS}/commits/statuses#create-a-commit-status`;
  const sha = c.params.sha;
  if (!/^[0-9a-f]{40}$/.test(sha)) return error(c.res, 422, `No commit found for SHA: ${sha}`, docs);
  if (!['error', 'failure', 'pending', 'success'].includes(c.body.state)) {
    return validation(c.res, 'state is not included in the list', docs, 'Status');
  }
  if (typeof c.body.description === 'string' && c.body.description.length > 140) {
    return validation(c.res, 'description is too long (maximum is 140 characters)', docs, 'Status');
  }
  const s = addCommitStatus(c.repo, sha, c.body, c.actor.login);
  return send(c.res, 201, commitStatusJson(c.base, c.repo, sha, s), { Location: `${c.base}/repos/${c.repo.full_name}/statuses/${sha}` });
});
function listCommitStatuses(c) {
  const ref = decodeURIComponent(c.params.ref);
  const sha = c.repo.branches.get(ref) || ref;
  const list = (c.repo.commitStatuses.get(sha) || []).slice().reverse();  // newest first, like GitHub
  return paginate(c.req, c.res, c.base, list.map((s) => commitStatusJson(c.base, c.repo, sha, s)));
}
route('GET', '/repos/{o}/{r}/commits/{ref}/statuses', listCommitStatuses);
route('GET', '/repos/{o}/{r}/statuses/{ref}', listCommitStatuses);  // GitHub's legacy route
route('GET', '/repos/{o}/{r}/actions/runs/{id}', (c) => {
  const run = c.repo.runs.get(Number(c.params.id));
  return run ? send(c.res, 200, runJson(c.base, c.repo, run)) : notFound(c.res);
});
route('GET', '/repos/{o}/{r}/actions/runs/{id}/approvals', (c) => {
  const run = c.repo.runs.get(Number(c.params.id));
  return run ? send(c.res, 200, run.approvals.map((a) => approvalJson(c.base, c.repo, a))) : notFound(c.res);
});
route('GET', '/repos/{o}/{r}/rules/branches/{branch*}', (c) => {
  const branch = decodeURIComponent(c.params.branch);
  return paginate(c.req, c.res, c.base, (c.repo.rules.get(branch) || []).map((rule) => ruleJson(c.repo, rule)));
});

// ---- reactions and permissions (the approval of a re-plan) ------------------
const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
function reactionJson(base, x) {
  return { id: x.id, node_id: Buffer.from(`REA_${x.id}`).toString('base64'), user: userJson(base, x.user),
    content: x.content, created_at: x.created_at };
}
function addReaction(cm, login, content) {
  cm.reactions = cm.reactions || [];
  const found = cm.reactions.find((x) => x.user === user(login).login && x.content === content);
  if (found) return { reaction: found, created: false };
  const reaction = { id: newId(), user: user(login).login, content, created_at: now() };
  cm.reactions.push(reaction);
  return { reaction, created: true };
}
route('GET', '/repos/{o}/{r}/issues/comments/{id}/reactions', (c) => {
  const cm = c.repo.comments.find((x) => x.id === Number(c.params.id));
  if (!cm) return notFound(c.res);
  const content = c.query.get('content');
  const list = (cm.reactions || []).filter((x) => !content || x.content === content);
  return paginate(c.req, c.res, c.base, list.map((x) => reactionJson(c.base, x)));
});
route('POST', '/repos/{o}/{r}/issues/comments/{id}/reactions', (c) => {
  const cm = c.repo.comments.find((x) => x.id === Number(c.params.id));
  if (!cm) return notFound(c.res);
  if (!REACTIONS.includes(c.body.content)) {
    return validation(c.res, 'content is not included in the list', `${DOCS}/reactions/reactions#create-reaction-for-an-issue-comment`, 'Reaction');
  }
  const { reaction, created } = addReaction(cm, c.actor.login, c.body.content);
  return send(c.res, created ? 201 : 200, reactionJson(c.base, reaction));  // 200: it existed already
});
// GitHub's `permission` folds maintain into write and triage into read; role_name keeps it.
const PERMISSION = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
route('GET', '/repos/{o}/{r}/collaborators/{username}/permission', (c) => {
  const login = decodeURIComponent(c.params.username);
  if (!state.users.has(login)) return notFound(c.res);
  const role = c.repo.collaborators.get(login);
  return send(c.res, 200, { permission: role ? PERMISSION[role] : 'none', role_name: role || 'none',
    user: { ...userJson(c.base, login), permissions: { admin: role === 'admin', maintain: role === 'admin' || role === 'maintain',
      push: ['admin', 'maintain', 'write'].includes(role), triage: !!role && role !== 'read', pull: !!role } } });
});

// ---- repository settings (converge init --apply-settings) --------------------
// Administration needs an admin's token: GITHUB_TOKEN and other integrations without
// the administration permission get "Resource not accessible by integration", a
// user without the admin role "Must have admin rights to Repository." (both 403).
function needAdmin(c, docs) {
  if (c.actor.integration) { error(c.res, 403, 'Resource not accessible by integration', docs); return false; }
  if (c.repo.collaborators.get(c.actor.login) !== 'admin') { error(c.res, 403, 'Must have admin rights to Repository.', docs); return false; }
  return true;
}
function repoEnvironmentJson(base, r, e) {
  const rules = [];
  if (e.wait_timer) rules.push({ id: e.id + 1, node_id: Buffer.from(`GA_${e.id + 1}`).toString('base64'), type: 'wait_timer', wait_timer: e.wait_timer });
  if (e.reviewers.length) {
    rules.push({ id: e.id + 2, node_id: Buffer.from(`GA_${e.id + 2}`).toString('base64'), prevent_self_review: e.prevent_self_review,
      type: 'required_reviewers', reviewers: e.reviewers.map((x) => ({ type: 'User', reviewer: userJson(base, x) })) });
  }
  if (e.deployment_branch_policy) rules.push({ id: e.id + 3, node_id: Buffer.from(`GA_${e.id + 3}`).toString('base64'), type: 'branch_policy' });
  return { id: e.id, node_id: Buffer.from(`EN_${e.id}`).toString('base64'), name: e.name,
    url: `${base}/repos/${r.full_name}/environments/${encodeURIComponent(e.name)}`,
    html_url: `${WEB}/${r.full_name}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
    created_at: e.created_at, updated_at: e.updated_at, protection_rules: rules,
    deployment_branch_policy: e.deployment_branch_policy };
}
const ENV_DOCS = `${DOCS}/deployments/environments#create-or-update-an-environment`;
route('GET', '/repos/{o}/{r}/environments/{name}', (c) => {
  const e = c.repo.environments.get(decodeURIComponent(c.params.name));
  return e ? send(c.res, 200, repoEnvironmentJson(c.base, c.repo, e)) : notFound(c.res);
});
route('PUT', '/repos/{o}/{r}/environments/{name}', (c) => {
  if (!needAdmin(c, ENV_DOCS)) return;
  const name = decodeURIComponent(c.params.name);
  const b = c.body;
  const policy = b.deployment_branch_policy;
  if (policy !== undefined && policy !== null && (typeof policy.protected_branches !== 'boolean' ||
      typeof policy.custom_branch_policies !== 'boolean' || policy.protected_branches === policy.custom_branch_policies)) {
    return validation(c.res, 'protected_branches and custom_branch_policies must be different booleans', ENV_DOCS, 'Environment');
  }
  const reviewers = [];
  for (const x of b.reviewers || []) {
    const u = [...state.users.values()].find((v) => v.id === x.id);
    if (x.type !== 'User' || !u) return validation(c.res, `reviewer ${JSON.stringify(x)} is not a user`, ENV_DOCS, 'Environment');
    reviewers.push(u.login);
  }
  let e = c.repo.environments.get(name);
  if (!e) {
    e = { id: newId() * 10, name, created_at: now(), wait_timer: 0, prevent_self_review: false, reviewers: [],
      deployment_branch_policy: null, policies: [] };
    c.repo.environments.set(name, e);
  }
  // As GitHub: what the request leaves out is reset (reviewers, wait timer), not kept.
  e.wait_timer = b.wait_timer || 0;
  e.prevent_self_review = !!b.prevent_self_review;
  e.reviewers = reviewers;
  e.deployment_branch_policy = policy || null;
  if (!policy || !policy.custom_branch_policies) e.policies = [];
  e.updated_at = now();
  return send(c.res, 200, repoEnvironmentJson(c.base, c.repo, e));
});
const policyJson = (p) => ({ id: p.id, node_id: Buffer.from(`GBP_${p.id}`).toString('base64'), name: p.name, type: p.type });
route('GET', '/repos/{o}/{r}/environments/{name}/deployment-branch-policies', (c) => {
  const e = c.repo.environments.get(decodeURIComponent(c.params.name));
  if (!e) return notFound(c.res);
  return send(c.res, 200, { total_count: e.policies.length, branch_policies: e.policies.map(policyJson) });
});
route('POST', '/repos/{o}/{r}/environments/{name}/deployment-branch-policies', (c) => {
  if (!needAdmin(c, `${DOCS}/deployments/branch-policies#create-a-deployment-branch-policy`)) return;
  const e = c.repo.environments.get(decodeURIComponent(c.params.name));
  if (!e || !e.deployment_branch_policy || !e.deployment_branch_policy.custom_branch_policies) return notFound(c.res);
  if (typeof c.body.name !== 'string' || c.body.name === '') {
    return validation(c.res, 'name is required', `${DOCS}/deployments/branch-policies#create-a-deployment-branch-policy`, 'DeploymentBranchPolicy');
  }
  const type = c.body.type || 'branch';
  const found = e.policies.find((p) => p.name === c.body.name && p.type === type);
  const url = (p) => `${c.base}/repos/${c.repo.full_name}/environments/${encodeURIComponent(e.name)}/deployment-branch-policies/${p.id}`;
  if (found) { c.res.writeHead(303, { Location: url(found) }); return c.res.end(); }  // the same pattern exists
  const p = { id: newId(), name: c.body.name, type };
  e.policies.push(p);
  return send(c.res, 200, policyJson(p));
});
function protectionJson(base, r, branch, p) {
  const api = `${base}/repos/${r.full_name}/branches/${encodeURIComponent(branch)}/protection`;
  const out = { url: api, enforce_admins: { url: `${api}/enforce_admins`, enabled: !!p.enforce_admins },
    required_linear_history: { enabled: false }, allow_force_pushes: { enabled: false }, allow_deletions: { enabled: false },
    required_conversation_resolution: { enabled: false }, required_signatures: { url: `${api}/required_signatures`, enabled: false } };
  if (p.required_status_checks) {
    const contexts = p.required_status_checks.checks ? p.required_status_checks.checks.map((x) => x.context) : (p.required_status_checks.contexts || []);
    out.required_status_checks = { url: `${api}/required_status_checks`, strict: !!p.required_status_checks.strict, contexts,
      contexts_url: `${api}/required_status_checks/contexts`, checks: contexts.map((context) => ({ context, app_id: null })) };
  }
  if (p.required_pull_request_reviews) {
    const v = p.required_pull_request_reviews;
    out.required_pull_request_reviews = { url: `${api}/required_pull_request_reviews`, dismiss_stale_reviews: !!v.dismiss_stale_reviews,
      require_code_owner_reviews: !!v.require_code_owner_reviews, required_approving_review_count: v.required_approving_review_count ?? 1,
      require_last_push_approval: !!v.require_last_push_approval };
  }
  if (p.restrictions) out.restrictions = { url: `${api}/restrictions`, users: [], teams: [], apps: [] };
  return out;
}
const PROTECTION_DOCS = `${DOCS}/branches/branch-protection#update-branch-protection`;
route('GET', '/repos/{o}/{r}/branches/{branch*}/protection', (c) => {
  if (!needAdmin(c, `${DOCS}/branches/branch-protection#get-branch-protection`)) return;
  const branch = decodeURIComponent(c.params.branch);
  if (!c.repo.branches.has(branch)) return error(c.res, 404, 'Branch not found', `${DOCS}/branches/branch-protection#get-branch-protection`);
  const p = c.repo.protections.get(branch);
  return p ? send(c.res, 200, protectionJson(c.base, c.repo, branch, p))
    : error(c.res, 404, 'Branch not protected', `${DOCS}/branches/branch-protection#get-branch-protection`);
});
route('PUT', '/repos/{o}/{r}/branches/{branch*}/protection', (c) => {
  if (!needAdmin(c, PROTECTION_DOCS)) return;
  const branch = decodeURIComponent(c.params.branch);
  if (!c.repo.branches.has(branch)) return error(c.res, 404, 'Branch not found', PROTECTION_DOCS);
  for (const key of ['required_status_checks', 'enforce_admins', 'required_pull_request_reviews', 'restrictions']) {
    if (!(key in c.body)) return error(c.res, 422, `Invalid request.\n\n"${key}" wasn't supplied.`, PROTECTION_DOCS);
  }
  c.repo.protections.set(branch, JSON.parse(JSON.stringify(c.body)));
  return send(c.res, 200, protectionJson(c.base, c.repo, branch, c.body));
});

// ---- control API -----------------------------------------------------------
function seed(b) {
  const r = repo(b.repo);
  const out = { pulls: [], issues: [], comments: [] };
  for (const u of b.users || []) user(u.login, u.type);
  for (const [ref, sha] of Object.entries(b.branches || {})) r.branches.set(ref, sha);
  for (const p of b.pulls || []) out.pulls.push(addPull(r, p).number);
  for (const i of b.issues || []) out.issues.push(addIssue(r, i).number);
  for (const cm of b.comments || []) out.comments.push(addComment(r, Number(cm.issue), cm.body, cm.user, cm.created_at).id);
  for (const [sha, numbers] of Object.entries(b.commit_pulls || {})) for (const n of numbers) associate(r, sha, n);
  // Reviews submitted later on existing pull requests: {"<number>": [{user,state,commit_id?,body?}]}.
  for (const [number, reviews] of Object.entries(b.reviews || {})) {
    const pull = r.pulls.get(Number(number));
    if (!pull) throw new Error(`seed: no pull request #${number} for reviews`);
    for (const rv of reviews) addReview(r, pull, rv);
  }
  for (const [sha, list] of Object.entries(b.statuses || {})) for (const s of list) addCommitStatus(r, sha, s, s.creator || SELF_LOGIN);
  const approval = (a) => ({ state: a.state || 'approved', user: user(a.user).login, environments: a.environments || [],
    comment: a.comment || '' });
  for (const run of b.runs || []) {
    if (!run.id || !run.actor) throw new Error('seed: a run needs an id and an actor');
    r.runs.set(Number(run.id), {
      id: Number(run.id), name: run.name || 'deploy', event: run.event || 'workflow_dispatch',
      head_sha: run.head_sha || fakeSha(`run:${run.id}`), head_branch: run.head_branch || 'main',
      status: run.status || 'in_progress', conclusion: run.conclusion === undefined ? null : run.conclusion,
      run_attempt: run.run_attempt || 1, actor: user(run.actor).login,
      triggering_actor: user(run.triggering_actor || run.actor).login, created_at: now(),
      approvals: (run.approvals || []).map(approval),
    });
  }
  for (const [id, list] of Object.entries(b.run_approvals || {})) {
    const run = r.runs.get(Number(id));
    if (!run) throw new Error(`seed: no run ${id} for approvals`);
    for (const a of list) run.approvals.push(approval(a));
  }
  for (const [login, role] of Object.entries(b.collaborators || {})) { user(login); r.collaborators.set(login, role); }
  for (const x of b.reactions || []) {
    const cm = r.comments.find((y) => y.id === Number(x.comment));
    if (!cm) throw new Error(`seed: no comment ${x.comment} for a reaction`);
    addReaction(cm, x.user, x.content || '+1');
  }
  for (const [branch, rules] of Object.entries(b.rules || {})) {
    r.rules.set(branch, rules.map((rule, i) => ({ type: rule.type, parameters: rule.parameters || {}, ruleset_id: 40 + i })));
  }
  return out;
}

function snapshot(base, r) {
  const deployments = r.deployments.map((d) => ({ ...deploymentJson(base, r, d), auto_merge: d.auto_merge, required_contexts: d.required_contexts }));
  const statuses = {};
  for (const d of r.deployments) statuses[d.id] = r.statuses.get(d.id).map((s) => statusJson(base, r, d, s));
  const reviews = {};
  for (const p of r.pulls.values()) reviews[p.number] = p.reviews.map((rv) => reviewJson(base, r, p, rv));
  return {
    pulls: [...r.pulls.values()].map((p) => pullJson(base, r, p, true)),
    issues: [...r.issues.values()].map((i) => issueJson(base, r, i)),
    comments: r.comments.map((c) => commentJson(base, r, c)),
    reviews, deployments, statuses,
    commit_statuses: Object.fromEntries([...r.commitStatuses.entries()].map(([sha, list]) =>
      [sha, list.slice().reverse().map((s) => commitStatusJson(base, r, sha, s))])),
    runs: [...r.runs.values()].map((run) => runJson(base, r, run)),
    environments: Object.fromEntries([...r.environments.values()].map((e) =>
      [e.name, { ...repoEnvironmentJson(base, r, e), branch_policies: e.policies.map(policyJson) }])),
    protections: Object.fromEntries([...r.protections.entries()].map(([b, p]) => [b, protectionJson(base, r, b, p)])),
  };
}

async function control(req, res, url, base) {
  const text = await readBody(req);
  const body = parseJson(text);
  if (body === undefined) return error(res, 400, 'Problems parsing JSON');
  const p = url.pathname;
  if (req.method === 'POST' && p === '/_control/reset') { reset(); return send(res, 200, {}); }
  if (req.method === 'POST' && p === '/_control/seed') return send(res, 200, seed(body));
  if (req.method === 'POST' && p === '/_control/tokens') {
    if (!body.token || !body.login) return error(res, 400, 'token and login are required');
    const t = addToken(body.token, body.login, body.type, body.integration);
    return send(res, 201, { login: t.login, integration: t.integration });
  }
  if (req.method === 'GET' && p === '/_control/state') return send(res, 200, snapshot(base, repo(url.searchParams.get('repo'))));
  if (req.method === 'GET' && p === '/_control/comments') {
    const r = repo(url.searchParams.get('repo'));
    const n = Number(url.searchParams.get('issue'));
    return send(res, 200, r.comments.filter((c) => c.issue === n).map((c) => commentJson(base, r, c)));
  }
  if (req.method === 'POST' && p === '/_control/faults') {
    const f = {
      id: nextFaultId++, method: body.method || '*', path: body.path || '.*', kind: body.kind || 'server_error',
      count: body.count === undefined ? 1 : body.count, skip: body.skip || 0,
      probability: body.probability === undefined ? 1 : body.probability, status: body.status || 502,
      retry_after: body.retry_after === undefined ? 1 : body.retry_after, reset_in: body.reset_in === undefined ? 1 : body.reset_in,
      delay_ms: body.delay_ms === undefined ? 2000 : body.delay_ms,
      bytes: body.bytes || 0, chunked: Boolean(body.chunked), set: body.set || {},
    };
    new RegExp(f.path);  // throws (-> 400) on a bad pattern
    faults.push(f);
    return send(res, 201, { id: f.id });
  }
  if (req.method === 'DELETE' && p === '/_control/faults') { faults = []; return send(res, 200, {}); }
  if (req.method === 'GET' && p === '/_control/requests') return send(res, 200, requestLog);
  if (req.method === 'DELETE' && p === '/_control/requests') { requestLog = []; return send(res, 200, {}); }
  return notFound(res);
}

// Faults that answer instead of the handler; returns the status sent.
function answerFault(f, res, url) {
  const limited = { 'X-RateLimit-Limit': '5000', 'X-RateLimit-Used': '5000' };
  const retryAfter = f.retry_after === null ? {} : { 'Retry-After': String(f.retry_after) };
  switch (f.kind) {
    case 'rate_limit_429':
      return send(res, 429, { message: 'API rate limit exceeded. Please wait before retrying.', documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`, status: '429' }, retryAfter);
    case 'secondary_rate_limit':
      return send(res, 403, {
        message: `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${crypto.randomUUID().toUpperCase().slice(0, 24)}.`,
        documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: '403',
      }, retryAfter);
    case 'primary_rate_limit':
      return send(res, 403, { message: 'API rate limit exceeded for installation ID 1.', documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`, status: '403' },
        { ...limited, 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + f.reset_in) });
    case 'endless_pages':
    case 'looping_pages': {
      const next = new URL(url);
      const page = Math.max(Number.parseInt(next.searchParams.get('page') || '1', 10) || 1, 1);
      next.searchParams.set('page', String(f.kind === 'endless_pages' ? page + 1 : page));
      return send(res, 200, [], { Link: `<${next.toString()}>; rel="next"` });
    }
    case 'huge_body': {
      const size = Math.max(Number(f.bytes) || 0, 2);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...(f.chunked ? {} : { 'Content-Length': size }) });
      const chunk = ' '.repeat(1 << 16);
      let left = size - 2;
      res.write('[');
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(n === chunk.length ? chunk : chunk.slice(0, n))) return res.once('drain', pump);
        }
        res.end(']');
      };
      res.on('close', () => { left = 0; });  // the client hung up: stop
      pump();
      return 200;
    }
    default:  // server_error
      return send(res, f.status, f.status === 502 ? { message: 'Server Error' } : { message: 'Server Error', status: String(f.status) });
  }
}

async function api(req, res, url, base) {
  const text = await readBody(req);
  const headers = { ...req.headers };
  if (headers.authorization !== undefined) headers.authorization = '<redacted>';
  const entry = { method: req.method, path: req.url, headers, body: text, status: 0, fault: null };
  requestLog.push(entry);

  const auth = req.headers.authorization || '';
  const presented = auth.replace(/^(Bearer|token)\s+/i, '');
  let actor = state.tokens.get(TOKEN);
  if (TOKEN !== '') {
    actor = presented === auth ? undefined : state.tokens.get(presented);
    if (!actor) {
      entry.status = error(res, 401, 'Bad credentials');
      return;
    }
  }
  const f = matchFault(req.method, url.pathname);
  if (f) entry.fault = f.kind;
  if (f && f.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, f.delay_ms));
  if (f && f.kind === 'alter') res.alterWith = f.set;
  if (f && !['slow', 'drop_after_write', 'alter'].includes(f.kind)) {
    entry.status = answerFault(f, res, url);
    return;
  }
  const body = parseJson(text);
  if (body === undefined) {
    entry.status = error(res, 400, 'Problems parsing JSON');
    return;
  }
  for (const r of routes) {
    if (r.method !== req.method) continue;
    const m = r.re.exec(url.pathname);
    if (!m) continue;
    const params = m.groups || {};
    const c = { req, res, base, body, params, query: url.searchParams, actor,
      repo: params.o === undefined ? null : repo(`${params.o}/${params.r}`) };
    if (f && f.kind === 'drop_after_write') {
      // Do the work, then cut the connection before any byte of the response.
      c.res = { writeHead() { return this; }, end() {} };
      entry.status = r.handler(c);
      req.socket.destroy();
      return;
    }
    entry.status = r.handler(c);
    return;
  }
  entry.status = notFound(res);
}

reset();
const server = http.createServer((req, res) => {
  const base = `http://${req.headers.host}`;
  const url = new URL(req.url, base);
  const handler = url.pathname.startsWith('/_control/') ? control : api;
  handler(req, res, url, base).catch((e) => {
    process.stderr.write(`github server: ${e.stack || e}\n`);
    if (!res.headersSent) error(res, url.pathname.startsWith('/_control/') ? 400 : 500, String(e.message || e));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
