// What GitHub Actions would do with converge's workflows for one event: which caller
// workflows the event triggers (`on:` with its branch and type filters), and, across
// the caller → reusable workflow boundary (workflow_call inputs, secrets and
// permissions), which jobs and steps run (`if:`, `needs`), in which GitHub
// environment and concurrency group, with which token permissions and secrets, and
// with which inputs (`with:` evaluated against the github context built from the
// event payload).
//
// The workflow files are read with GitHub's parser (@actions/workflow-parser: the
// schema, and the `if:` of each job and step with GitHub's implicit `success() &&`),
// and every expression is evaluated with GitHub's expression engine
// (@actions/expressions). The `run:` steps of the reusable workflows (the branch →
// environment route, the mode check) and the composite action secrets-to-env run for
// real (bash, jq); converge's own actions are recorded as invocations (their outputs
// come from the scenario, or from a real run of the executable: execute.mjs).
//
// What is modelled from GitHub's documentation rather than taken from its code:
// filter patterns (`*`, `**`, `?`, `!`), the default pull_request types, the github
// context of each event, what `secrets` holds (a fork's pull request gets none but
// github_token; an environment's secrets join the job that names it), that a called
// workflow's job may only lower the caller's permissions, and that a fork's
// pull_request token is read-only.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import * as wp from "@actions/workflow-parser";
import * as wpActions from "@actions/workflow-parser/actions/index";

// The repository publishing the actions and reusable workflows: the one setting in
// CMakeLists.txt (set(CONVERGE_REPOSITORY …)) of the checkout this file is in.
export const SELF = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../CMakeLists.txt"), "utf8")
  .match(/^set\(CONVERGE_REPOSITORY "([^"]+)"\)/m)[1];
const SELF_PATTERN = SELF.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

// ---- expressions -------------------------------------------------------------

const toData = (value) => JSON.parse(JSON.stringify(value ?? null), data.reviver);
// Contexts as the engine's data; the github context (never changed once built, and
// carrying the whole event payload) is converted once.
const converted = new WeakMap();
function contextData(contexts) {
  const dict = new data.Dictionary();
  for (const [name, value] of Object.entries(contexts)) {
    if (name !== "github" || value === null || typeof value !== "object") { dict.add(name, toData(value)); continue; }
    if (!converted.has(value)) converted.set(value, toData(value));
    dict.add(name, converted.get(value));
  }
  return dict;
}
const fromData = (d) => JSON.parse(JSON.stringify(d, data.replacer));

// Status functions and hashFiles, as the runner provides them. `status` says how the
// job (or the steps so far) went: success, failure or cancelled.
function functions(status, files) {
  const fn = (name, maxArgs, call) => ({ name, minArgs: 0, maxArgs, call });
  return [
    fn("success", 0, () => new data.BooleanData(status.value === "success")),
    fn("failure", 0, () => new data.BooleanData(status.value === "failure")),
    fn("cancelled", 0, () => new data.BooleanData(status.value === "cancelled")),
    fn("always", 0, () => new data.BooleanData(true)),
    fn("hashfiles", 255, (...globs) =>
      new data.StringData(globs.some((g) => files.has(g.coerceString())) ? "0123abcd" : ""))
  ];
}

// Evaluates one expression (without ${{ }}) in `contexts` with GitHub's engine.
export function evaluate(expression, contexts, status = { value: "success" }, files = new Set()) {
  const fns = functions(status, files);
  const lexed = new Lexer(expression).lex();
  const tree = new Parser(lexed.tokens, Object.keys(contexts), fns).parse();
  const map = new Map(fns.map((f) => [f.name, f]));
  return new Evaluator(tree, contextData(contexts), map).evaluate();
}

export const isTrue = (expression, contexts, status, files) => truthy(evaluate(expression, contexts, status, files));

// A template token (as the parser read it) to a plain value, expressions evaluated.
export function valueOf(token, contexts, status, files) {
  if (token === undefined || token === null) return undefined;
  if (wp.isBasicExpression(token)) return fromData(evaluate(token.expression, contexts, status, files));
  if (wp.isString(token) || wp.isBoolean(token) || wp.isNumber(token)) return token.value;
  if (wp.isMapping(token)) {
    const out = {};
    for (let i = 0; i < token.count; i++) {
      const { key, value } = token.get(i);
      out[String(valueOf(key, contexts, status, files))] = valueOf(value, contexts, status, files);
    }
    return out;
  }
  if (wp.isSequence(token)) {
    const out = [];
    for (let i = 0; i < token.count; i++) out.push(valueOf(token.get(i), contexts, status, files));
    return out;
  }
  if (wp.isLiteral(token)) return null;  // the null token
  throw new Error(`cannot evaluate a ${token.typeName()} token`);
}

// The value a `with:`/`env:` entry hands on: GitHub turns every value into a string.
const asString = (v) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v, null, 2) : String(v));

// ---- workflow files ------------------------------------------------------------

// Reads workflow files from the checkout, with optional replacements (the self-tests
// run the checks on broken copies).
export class Files {
  constructor(root, overrides = {}) {
    this.root = root;
    this.overrides = overrides;
  }
  read(relative) {
    return this.overrides[relative] ?? readFileSync(path.join(this.root, relative), "utf8");
  }
}

// Parsed files by content: a file is parsed once per process.
const parsedWorkflows = new Map();
const parsedActions = new Map();

// A workflow as GitHub's parser reads it: the raw template (for with:, env:,
// permissions, secrets) and the converted model (events, jobs, needs, if:).
export async function loadWorkflow(files, relative) {
  // A caller's model includes the reusable workflows it calls: their text is in the key.
  const called = Object.entries(files.overrides ?? {}).filter(([f]) => f.startsWith(".github/workflows/"));
  const key = JSON.stringify([relative, files.read(relative), called]);
  if (!parsedWorkflows.has(key)) parsedWorkflows.set(key, parseWorkflowFile(files, relative));
  return parsedWorkflows.get(key);
}

async function parseWorkflowFile(files, relative) {
  const content = files.read(relative);
  const parsed = wp.parseWorkflow({ name: relative, content }, new wp.NoOperationTraceWriter());
  const provider = {
    async getFileContent(ref) {
      if (`${ref.owner}/${ref.repository}` !== SELF) throw new Error(`not ${SELF}: ${JSON.stringify(ref)}`);
      return { name: ref.path, content: files.read(ref.path) };
    }
  };
  const model = await wp.convertWorkflowTemplate(parsed.context, parsed.value, provider, { fetchReusableWorkflowDepth: 1 });
  const errors = [...parsed.context.errors.getErrors().map((e) => e.message), ...(model.errors ?? []).map((e) => e.Message)];
  if (errors.length) throw new Error(`${relative}: ${[...new Set(errors)].join("; ")}`);
  return { file: relative, raw: parsed.value, model };
}

// The entry `key` of a mapping token, or undefined.
export function entry(mapping, key) {
  if (!mapping || !wp.isMapping(mapping)) return undefined;
  for (let i = 0; i < mapping.count; i++) {
    const pair = mapping.get(i);
    if (wp.isString(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}
const rawJob = (wf, id) => entry(entry(wf.raw, "jobs"), id);
const rawSteps = (job) => {
  const seq = entry(job, "steps");
  const out = [];
  for (let i = 0; seq && i < seq.count; i++) out.push(seq.get(i));
  return out;
};

// ---- triggers ------------------------------------------------------------------

// A filter pattern as GitHub documents it: `*` anything but `/`, `**` anything, `?`
// one character, `+` one or more of the previous character, `[...]` a class.
function patternRegex(pattern) {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") { re += ".*"; i++; }
    else if (c === "*") re += "[^/]*";
    else if (c === "?") re += ".";
    else if (c === "+") re += "+";
    else if (c === "[") { const end = pattern.indexOf("]", i); re += pattern.slice(i, end + 1); i = end; }
    else re += c.replace(/[.^$|(){}\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

// GitHub's rule for a list of patterns: the last matching pattern wins; `!` negates.
export function filterMatches(patterns, name) {
  let included = false;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    if (patternRegex(negated ? p.slice(1) : p).test(name)) included = !negated;
  }
  return included;
}

const DEFAULT_PR_TYPES = ["opened", "synchronize", "reopened"];

// The event name a run of `wf` for `event` (name + payload; a workflow_dispatch also
// names the one workflow it is for) gets, or null when `wf` does not start. A pull
// request starts both pull_request and pull_request_target workflows.
export function triggeredAs(wf, event) {
  const names = event.name === "pull_request" ? ["pull_request", "pull_request_target"] : [event.name];
  return names.find((name) => triggersOne(wf, { ...event, name })) ?? null;
}

function triggersOne(wf, event) {
  const on = wf.model.events;
  const cfg = on[event.name];
  if (cfg === undefined) return false;
  const p = event.payload;
  switch (event.name) {
    case "push": {
      const ref = p.ref ?? "";
      const branch = ref.startsWith("refs/heads/") ? ref.slice(11) : null;
      const tag = ref.startsWith("refs/tags/") ? ref.slice(10) : null;
      const hasBranchFilter = cfg.branches || cfg["branches-ignore"];
      const hasTagFilter = cfg.tags || cfg["tags-ignore"];
      if (branch !== null) {
        if (!hasBranchFilter && hasTagFilter) return false;
        if (cfg.branches) return filterMatches(cfg.branches, branch);
        if (cfg["branches-ignore"]) return !filterMatches(cfg["branches-ignore"], branch);
        return true;
      }
      if (tag !== null) {
        if (!hasTagFilter && hasBranchFilter) return false;
        if (cfg.tags) return filterMatches(cfg.tags, tag);
        if (cfg["tags-ignore"]) return !filterMatches(cfg["tags-ignore"], tag);
        return true;
      }
      return false;
    }
    case "pull_request":
    case "pull_request_target": {
      if (!(cfg.types ?? DEFAULT_PR_TYPES).includes(p.action)) return false;
      const base = p.pull_request.base.ref;
      if (cfg.branches) return filterMatches(cfg.branches, base);
      if (cfg["branches-ignore"]) return !filterMatches(cfg["branches-ignore"], base);
      return true;
    }
    case "schedule":
      return (on.schedule ?? []).some((s) => s.cron === p.schedule);
    case "workflow_dispatch":
      return event.workflow === wf.file;
    default:
      return cfg.types ? cfg.types.includes(p.action) : true;
  }
}

// ---- contexts ------------------------------------------------------------------

// Is this pull request from a fork (another repository than the base's)?
export const fromFork = (event) =>
  Boolean(event.payload.pull_request) &&
  event.payload.pull_request.head.repo?.full_name !== event.payload.pull_request.base.repo?.full_name;

// The github context of a run for the event, as the runner builds it.
export function githubContext(event, token) {
  const p = event.payload;
  const repo = p.repository.full_name;
  const ctx = {
    event_name: event.name, event: p, repository: repo, repository_owner: repo.split("/")[0],
    actor: p.sender?.login ?? "", triggering_actor: p.sender?.login ?? "", run_id: "4242", run_number: "7",
    run_attempt: "1", workflow: event.workflow ?? "", server_url: "https://github.com",
    api_url: "https://api.github.com", token, base_ref: "", head_ref: "", job: ""
  };
  const pr = p.pull_request;
  if (pr && event.name === "pull_request_target") {
    ctx.ref = `refs/heads/${pr.base.ref}`;
    ctx.sha = pr.base.sha;
    ctx.base_ref = pr.base.ref;
    ctx.head_ref = pr.head.ref;
  } else if (pr) {
    ctx.ref = `refs/pull/${pr.number}/merge`;
    ctx.sha = pr.merge_commit_sha ?? pr.head.sha;
    ctx.base_ref = pr.base.ref;
    ctx.head_ref = pr.head.ref;
  } else if (event.name === "push") {
    ctx.ref = p.ref;
    ctx.sha = p.after;
  } else if (event.name === "schedule") {
    ctx.ref = `refs/heads/${p.repository.default_branch}`;
    ctx.sha = "5ca1ab1e".repeat(5);
  } else {
    ctx.ref = p.ref ?? `refs/heads/${p.repository.default_branch}`;
    ctx.sha = "d15da7c4".repeat(5);
  }
  ctx.ref_name = ctx.ref.replace(/^refs\/(heads|tags)\//, "").replace(/^refs\/pull\//, "");
  ctx.ref_type = ctx.ref.startsWith("refs/tags/") ? "tag" : "branch";
  return ctx;
}

// Inputs of a workflow_dispatch, typed as the `inputs` context has them (the
// payload carries strings); missing required inputs are the dispatcher's error.
function dispatchInputs(wf, event) {
  const defs = wf.model.events.workflow_dispatch?.inputs ?? {};
  const given = event.payload.inputs ?? {};
  const inputs = {};
  for (const [name, def] of Object.entries(defs)) {
    let v = given[name] ?? def.default;
    if (v === undefined) {
      if (def.required) throw new Error(`${wf.file}: workflow_dispatch needs input ${name}`);
      v = def.type === "boolean" ? false : "";
    }
    if (def.type === "boolean") v = v === true || v === "true";
    if (def.type === "choice" && !def.options.includes(v)) throw new Error(`${wf.file}: ${name}=${v} is not an option`);
    inputs[name] = v;
  }
  return inputs;
}

// ---- permissions -----------------------------------------------------------------

const LEVEL = { none: 0, read: 1, write: 2 };
const SCOPES = ["actions", "attestations", "checks", "contents", "deployments", "id-token", "issues", "discussions",
  "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses"];

// A `permissions:` value as a full map scope → level ("read-all", "write-all", {}).
function permissionMap(value) {
  const out = Object.fromEntries(SCOPES.map((s) => [s, "none"]));
  if (value === "read-all" || value === "write-all") for (const s of SCOPES) out[s] = value.slice(0, -4);
  else for (const [s, l] of Object.entries(value ?? {})) out[s] = l;
  return out;
}
const granted = (map) => Object.fromEntries(Object.entries(map).filter(([, l]) => l !== "none"));

// ---- running a workflow ----------------------------------------------------------

// Runs a `run:` step with bash: its env and a GITHUB_OUTPUT file; returns exit code
// and outputs. The scripts are deterministic in what they output, so each (script,
// env) runs once per process (the self-tests replay every scenario).
const scriptRuns = new Map();
function runScript(script, env) {
  const key = JSON.stringify([script, env]);
  if (!scriptRuns.has(key)) scriptRuns.set(key, runScriptOnce(script, env));
  return scriptRuns.get(key);
}

function runScriptOnce(script, env) {
  const dir = mkdtempSync(path.join(tmpdir(), "converge-wf-"));
  try {
    const out = path.join(dir, "output");
    const envFile = path.join(dir, "env");
    writeFileSync(out, "");
    writeFileSync(envFile, "");
    let code = 0;
    let log = "";
    try {
      log = execFileSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
        env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, GITHUB_ENV: envFile, ...env }, encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"], timeout: 10000
      });
    } catch (e) {
      code = e.status ?? 1;
      log = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
    return { code, log, outputs: parseCommandFile(readFileSync(out, "utf8")), env: parseCommandFile(readFileSync(envFile, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIM` heredocs.
export function parseCommandFile(text) {
  const out = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = line.match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const value = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      out[heredoc[1]] = value.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

// <SELF>/actions/<name>@<ref> → <name>; the root action → "converge".
export function convergeAction(uses) {
  const m = String(uses).match(new RegExp(`^${SELF_PATTERN}(?:/actions/([^@]+))?@`));
  return m ? (m[1] ?? "converge") : null;
}

// An action's metadata (inputs with defaults, composite steps), read from this
// checkout with GitHub's action parser.
function actionMeta(files, name) {
  const relative = name === "converge" ? "action.yml" : `actions/${name}/action.yml`;
  const content = files.read(relative);
  if (!parsedActions.has(content)) parsedActions.set(content, parseActionFile(relative, content));
  return parsedActions.get(content);
}

function parseActionFile(relative, content) {
  const parsed = wpActions.parseAction({ name: relative, content }, new wp.NoOperationTraceWriter());
  const template = parsed.value ? wpActions.convertActionTemplate(parsed.context, parsed.value) : undefined;
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !template) throw new Error(`${relative}: ${errors.join("; ")}`);
  return { relative, template };
}

// A composite action (secrets-to-env), run for real: each step's bash script with
// its env evaluated in the action's `inputs` context.
function runComposite(files, name, inputs, ctx) {
  const { template } = actionMeta(files, name);
  const outputs = {};
  let env = {};
  for (const step of template.runs.steps) {
    const stepCtx = { ...ctx, inputs };
    const stepEnv = Object.fromEntries(Object.entries(valueOf(step.env, stepCtx) ?? {}).map(([k, v]) => [k, asString(v)]));
    const r = runScript(valueOf(step.run, stepCtx), stepEnv);
    if (r.code !== 0) return { code: r.code, outputs, env, log: r.log };
    env = { ...env, ...r.env };
    Object.assign(outputs, r.outputs);
  }
  return { code: 0, outputs, env, log: "" };
}

// Inputs an action receives: the step's `with:` over the action's defaults
// (expressions in defaults, such as the token's, evaluated in the step's contexts).
function actionInputs(files, name, withValues, ctx) {
  const { relative, template } = actionMeta(files, name);
  const inputs = {};
  const problems = [];
  for (const def of template.inputs ?? []) {
    if (def.id in withValues) inputs[def.id] = withValues[def.id];
    else if (def.default !== undefined) inputs[def.id] = asString(valueOf(def.default, ctx));
    else if (def.required === true) problems.push(`required input ${def.id} is not given`);
  }
  for (const k of Object.keys(withValues)) if (!(k in inputs)) problems.push(`input ${k} is not declared in ${relative}`);
  return { inputs, problems };
}

// The combinations of a job's `strategy.matrix` (evaluated in `ctx`), each a `matrix`
// context; [null] when the job has no matrix. Only the product of lists is modelled
// (no include/exclude: converge's workflows use neither).
function matrixCombinations(raw, ctx) {
  const matrix = valueOf(entry(entry(raw, "strategy"), "matrix"), ctx);
  if (matrix === undefined) return [null];
  if (!matrix || typeof matrix !== "object" || Array.isArray(matrix)) throw new Error(`matrix is not a mapping: ${JSON.stringify(matrix)}`);
  let combinations = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") throw new Error(`matrix ${key} is not modelled`);
    if (!Array.isArray(values) || values.length === 0) throw new Error(`matrix ${key} is not a non-empty list`);
    combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combinations;
}

// Runs one job of a reusable workflow: each combination of its matrix as a job of its
// own (decisions named `<job> (<values>)`), failing when any fails, its outputs the
// last one's (GitHub's are the last to finish). `world` has the scenario's step
// outputs and failures (by action name) and the hook that may run converge steps for real.
function runJob(files, wf, modelJob, callCtx, needs, world) {
  const id = modelJob.id.value;
  const raw = rawJob(wf, id);
  const jobStatus = { value: Object.values(needs).every((n) => n.result === "success") ? "success" : "failure" };
  // The contexts GitHub allows in a job's if:, environment and concurrency.
  const jobCtx = { github: callCtx.github, inputs: callCtx.inputs, vars: callCtx.vars, needs };
  if (!isTrue(modelJob.if.expression, jobCtx, jobStatus))
    return { decisions: [{ workflow: wf.file, job: id, steps: [], runs: false }], result: "skipped", outputs: {} };
  const runs = matrixCombinations(raw, jobCtx).map((matrix) =>
    runInstance(files, wf, modelJob, callCtx, matrix === null ? jobCtx : { ...jobCtx, matrix },
      matrix === null ? id : `${id} (${Object.values(matrix).join(", ")})`, world));
  return { decisions: runs.map((r) => r.decision), result: runs.every((r) => r.result === "success") ? "success" : "failure",
    outputs: runs[runs.length - 1].outputs };
}

function runInstance(files, wf, modelJob, callCtx, jobCtx, name, world) {
  const raw = rawJob(wf, modelJob.id.value);
  const decision = { workflow: wf.file, job: name, steps: [], runs: true };

  decision.environment = valueOf(entry(entry(raw, "environment"), "name") ?? entry(raw, "environment"), jobCtx) ?? null;
  const concurrency = valueOf(entry(raw, "concurrency"), jobCtx);
  decision.concurrency = concurrency === undefined ? null
    : typeof concurrency === "string" ? { group: concurrency, cancel: false }
      : { group: concurrency.group, cancel: concurrency["cancel-in-progress"] === true };

  // Token permissions: the job's own (else the workflow's), never above the caller's.
  const own = entry(raw, "permissions") ?? entry(wf.raw, "permissions");
  const jobPerms = own === undefined ? callCtx.permissions : permissionMap(valueOf(own, jobCtx));
  decision.problems = [];
  for (const s of SCOPES)
    if (LEVEL[jobPerms[s]] > LEVEL[callCtx.permissions[s]])
      decision.problems.push(`${s}: ${jobPerms[s]} exceeds the caller's ${callCtx.permissions[s]}`);
  const effective = { ...jobPerms };
  if (callCtx.fork) for (const s of SCOPES) if (effective[s] === "write") effective[s] = "read";
  decision.permissions = granted(effective);

  // The secrets context: what the caller passed, plus the environment's own secrets
  // (none for a fork's pull request), plus github_token.
  const envSecrets = callCtx.fork ? {} : (world.environmentSecrets[decision.environment] ?? {});
  const secrets = { ...callCtx.secrets, ...envSecrets, github_token: callCtx.github.token };
  decision.secrets = Object.keys(secrets).filter((k) => k !== "github_token").sort();

  const steps = {};
  const status = { value: "success" };
  let env = {};
  for (const [i, modelStep] of modelJob.steps.entries()) {
    const rawStep = rawSteps(raw)[i];
    const stepId = modelStep.id;
    const ctx = { ...jobCtx, steps, env, job: { status: status.value }, runner: { os: "Linux", temp: "/tmp" }, secrets };
    const uses = modelStep.uses?.value;
    const action = uses ? convergeAction(uses) : null;
    const step = { id: stepId, uses: uses ?? "run", action };
    step.runs = isTrue(modelStep.if.expression, ctx, status, world.files);
    decision.steps.push(step);
    if (!step.runs) {
      steps[stepId] = { outcome: "skipped", conclusion: "skipped", outputs: {} };
      continue;
    }
    const withValues = Object.fromEntries(Object.entries(valueOf(entry(rawStep, "with"), ctx) ?? {})
      .map(([k, v]) => [k, asString(v)]));
    step.with = withValues;
    let outcome = "success";
    let outputs = {};
    if (!uses) {
      const stepEnv = Object.fromEntries(Object.entries(valueOf(entry(rawStep, "env"), ctx) ?? {})
        .map(([k, v]) => [k, asString(v)]));
      const r = runScript(valueOf(entry(rawStep, "run"), ctx), { ...(world.scriptEnv ?? {}), ...stepEnv });
      outputs = r.outputs;
      if (r.code !== 0) { outcome = "failure"; step.log = r.log; }
    } else if (action === "secrets-to-env") {
      const { inputs, problems } = actionInputs(files, action, withValues, ctx);
      decision.problems.push(...problems.map((p) => `step ${stepId}: ${p}`));
      const r = runComposite(files, action, inputs, { github: ctx.github });
      outputs = r.outputs;
      env = { ...env, ...r.env };
      step.exposed = Object.keys(r.env).sort();
      if (r.code !== 0) { outcome = "failure"; step.log = r.log; }
    } else if (action) {
      const { inputs, problems } = actionInputs(files, action, withValues, ctx);
      decision.problems.push(...problems.map((p) => `step ${stepId}: ${p}`));
      step.inputs = inputs;
      step.env = env;
      const r = world.runAction(action, inputs, { decision, env, github: ctx.github });
      outputs = r.outputs;
      step.outputs = outputs;
      step.code = r.code;
      if (r.code !== 0) outcome = "failure";
    }
    step.outcome = outcome;
    steps[stepId] = { outcome, conclusion: outcome, outputs };
    if (outcome === "failure") status.value = "failure";
  }
  const outputs = Object.fromEntries(Object.entries(valueOf(entry(raw, "outputs"), { ...jobCtx, steps }) ?? {})
    .map(([k, v]) => [k, asString(v)]));
  decision.result = status.value;
  return { decision, result: status.value, outputs };
}

// Everything that happens for `event`: one decision per job of every caller workflow
// (triggered or not), with the jobs of the reusable workflow it calls.
//   world: { repoSecrets, environmentSecrets: {env: {...}}, vars, files: Set of files
//            hashFiles finds, runAction(action, inputs, info) → {code, outputs},
//            scriptEnv: environment variables under the `run:` steps' own (PATH: a
//            stand-in curl, so no script reaches the network) }
export async function runEvent(files, callers, event, world) {
  const decisions = [];
  for (const caller of callers) {
    const eventName = triggeredAs(caller, event);
    if (eventName === null) {
      decisions.push({ workflow: caller.file, triggered: false });
      continue;
    }
    decisions.push({ workflow: caller.file, triggered: true, as: eventName });
    // GitHub withholds secrets (and write access) from a fork's pull_request run,
    // not from a pull_request_target run, which runs in the base repository.
    const fork = eventName === "pull_request" && fromFork(event);
    const token = world.token;
    const github = githubContext({ ...event, name: eventName }, token);
    const inputs = event.name === "workflow_dispatch" ? dispatchInputs(caller, event) : {};
    const base = { github, inputs, vars: world.vars ?? {} };
    // A fork's pull request gets no repository or organization secrets.
    const repoSecrets = fork ? {} : (world.repoSecrets ?? {});
    for (const job of caller.model.jobs) {
      const rawCaller = rawJob(caller, job.id.value);
      if (job.type !== "reusableWorkflowJob") throw new Error(`${caller.file}: job ${job.id.value} is not a call`);
      if (!isTrue(job.if.expression, { ...base, needs: {} })) {
        decisions.push({ workflow: caller.file, job: job.id.value, runs: false });
        continue;
      }
      const calledFile = job.ref.value.replace(new RegExp(`^${SELF_PATTERN}/`), "").replace(/@.*$/, "");
      const called = await loadWorkflow(files, calledFile);
      // workflow_call inputs: given values over defaults, typed.
      const given = valueOf(entry(rawCaller, "with"), { ...base, needs: {} }) ?? {};
      const defs = called.model.events.workflow_call?.inputs ?? {};
      const callInputs = {};
      const problems = [];
      for (const [name, def] of Object.entries(defs)) {
        let v = name in given ? given[name] : def.default;
        if (v && typeof v === "object" && "value" in v) v = v.value;
        if (v === undefined) {
          if (def.required) problems.push(`input ${name} is required`);
          v = def.type === "boolean" ? false : "";
        }
        if (def.type === "boolean") v = v === true || v === "true";
        else if (def.type === "string") v = asString(v);
        callInputs[name] = v;
      }
      for (const k of Object.keys(given)) if (!(k in defs)) problems.push(`input ${k} is not declared`);
      // Secrets: inherit passes the caller's; a mapping passes the named ones.
      const inherit = valueOf(entry(rawCaller, "secrets"), base);
      const secrets = inherit === "inherit" ? { ...repoSecrets }
        : Object.fromEntries(Object.entries(valueOf(entry(rawCaller, "secrets"), { ...base, secrets: repoSecrets }) ?? {})
          .filter(([, v]) => v !== "" && v !== undefined));
      const callerPerms = permissionMap(valueOf(entry(rawCaller, "permissions") ?? entry(caller.raw, "permissions"), base) ??
        "write-all");
      const callCtx = { github: { ...github, workflow: caller.model.name ?? caller.file }, inputs: callInputs,
        vars: world.vars ?? {}, secrets, permissions: callerPerms, fork };
      decisions.push({ workflow: caller.file, job: job.id.value, runs: true, calls: calledFile, inputs: callInputs,
        passedSecrets: Object.keys(secrets).sort(), problems });
      const results = {};
      const pending = [...called.model.jobs];
      while (pending.length) {
        const next = pending.findIndex((j) => (j.needs ?? []).every((n) => n.value in results));
        if (next < 0) throw new Error(`${calledFile}: a cycle in needs`);
        const [j] = pending.splice(next, 1);
        const needs = Object.fromEntries((j.needs ?? []).map((n) => [n.value, results[n.value]]));
        const r = runJob(files, called, j, callCtx, needs, world);
        for (const d of r.decisions) {
          d.caller = `${caller.file}/${job.id.value}`;
          decisions.push(d);
        }
        results[j.id.value] = { result: r.result, outputs: r.outputs };
      }
    }
  }
  return decisions;
}
