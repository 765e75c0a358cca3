// Workflow execution test (ctest workflows.execution): drives the starter callers
// (workflows/) and the reusable workflows (.github/workflows/) through every event of
// the GitFlow story (scenarios.mjs, built from the real payloads in
// shared/testdata/github-events) with GitHub's parser and expression engine
// (engine.mjs), and asserts
//   - per scenario: which workflows start, which jobs and steps run, their GitHub
//     environment, concurrency group, token permissions, secrets and action inputs;
//   - for every scenario: a fork's pull request gets no secrets and no write token;
//     no job that applies runs for a pull request (or a review); an apply to an
//     environment runs in the GitHub environment of that name (prod's required
//     reviewers hold it); every apply, rollback and drift reconcile of an environment
//     shares one never-cancelled concurrency group, converge-apply-<env>;
//   - each of these checks fails on a broken copy of the workflows (self-tests);
//   - the flags the workflows pass (action inputs → --<name>) are accepted by every
//     selected step's executable, and two scenarios run for real: a push to dev/**
//     (secret-names, the secrets-to-env script, apply, record-manifest on SQLite) and
//     a pull request to develop (plan-comment against the local GitHub server).
//
//   node execute.mjs REPO_ROOT     (CONVERGE_BIN_DIR: the built steps/; exit 0 when all pass)
// Writes one count line to $CONVERGE_COUNTS_DIR/workflows.txt when that is set.
import * as nodeModule from "node:module";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// Node >= 20.6: the JSON hook (json-hooks.mjs) is registered here, before the parser
// loads; older Node gets --experimental-loader from run-execution.sh.
if (typeof nodeModule.register === "function") nodeModule.register("./json-hooks.mjs", import.meta.url);
const { loadWorkflow, Files, fromFork, runEvent } = await import("./engine.mjs");
const { scenarios, WORLD } = await import("./scenarios.mjs");
const { flagsAccepted, realRun } = await import("./real-run.mjs");

const root = path.resolve(process.argv[2] ?? "../..");
const files = new Files(root);

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
  return ok;
};

async function loadCallers(f) {
  const names = readdirSync(path.join(root, "workflows")).filter((n) => n.endsWith(".yml")).sort();
  return Promise.all(names.map((n) => loadWorkflow(f, `workflows/${n}`)));
}

// Outputs of converge's actions when they are not run for real.
const MODELLED = {
  "secret-names": (inputs) => ({ names: WORLD.secretNames[inputs.env] ?? "" }),
  apply: () => ({ status: "success", "has-changes": "true", "plan-hash": "f".repeat(64) }),
  "record-manifest": () => ({ recorded: "2" }),
  "plan-comment": () => ({ "has-changes": "true", "plan-hash": "f".repeat(64), "comment-url": "https://github.com/c" }),
  "drift-verify": () => ({ drift: "false", applied: "false" }),
  "export-to-pr": () => ({ changed: "true", branch: "converge/export/prod" })
};
const modelled = (scenario) => (action, inputs) =>
  scenario.outputs?.[action] ?? { code: 0, outputs: (MODELLED[action] ?? (() => ({})))(inputs) };

// The run: steps call GitHub's API through fake-api/curl, with the scenario's answers
// (`api`: path → body; none: every request is a 404), never the network.
const scriptEnv = (scenario) => ({
  PATH: `${path.join(root, "tests/workflows/fake-api")}:${process.env.PATH}`,
  FAKE_GITHUB_API: JSON.stringify(scenario.api ?? {}), FAKE_GITHUB_TOKEN: WORLD.token
});
const world = (scenario, runAction) => ({ ...WORLD, files: new Set(["plan.json", ...(scenario.files ?? [])]),
                                          runAction: runAction ?? modelled(scenario), scriptEnv: scriptEnv(scenario) });

const stepKey = (s) => s.action ?? s.uses;
const reusableKey = (d) => `${path.basename(d.workflow)}/${d.job}`;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sorted = (o) => Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));

// Compares what happened with the scenario's expectations; returns the number of
// decisions compared (workflows started or not, jobs run or not, steps run or not,
// and each environment, group, permission set, secret set and input set).
function compare(s, decisions) {
  let count = 0;
  const problems = [];
  const expect = (ok, what) => { count++; if (!ok) problems.push(what); };
  for (const d of decisions.filter((x) => x.triggered !== undefined))
    expect(d.triggered === s.triggered.includes(d.workflow), `${d.workflow} ${d.triggered ? "started" : "did not start"}`);
  for (const d of decisions.filter((x) => x.calls)) problems.push(...d.problems.map((p) => `${d.workflow}/${d.job}: ${p}`));
  const jobs = decisions.filter((x) => x.caller);
  for (const key of Object.keys(s.jobs))
    if (!jobs.some((d) => reusableKey(d) === key)) problems.push(`${key} was never reached`);
  for (const d of jobs) {
    const key = reusableKey(d);
    const want = s.jobs[key];
    expect(d.runs === Boolean(want), `${key} ${d.runs ? "runs" : "is skipped"}`);
    if (!d.runs || !want) continue;
    problems.push(...d.problems.map((p) => `${key}: ${p}`));
    const ran = d.steps.filter((x) => x.runs);
    count += d.steps.length - 1;
    expect(same(ran.map(stepKey), want.steps), `${key}: steps ${JSON.stringify(ran.map(stepKey))}, want ${JSON.stringify(want.steps)}`);
    const norm = (field, v) => (field === "permissions" ? sorted(v) : v);
    for (const field of ["environment", "concurrency", "permissions", "secrets"])
      if (field in want) expect(same(norm(field, d[field]), norm(field, want[field])),
        `${key}: ${field} ${JSON.stringify(d[field])}, want ${JSON.stringify(want[field])}`);
    for (const [step, inputs] of Object.entries(want.with ?? {})) {
      const got = ran.find((x) => x.id === step) ?? ran.find((x) => stepKey(x) === step);
      expect(got && same(sorted(got.with), sorted(inputs)), `${key}: ${step} with ${JSON.stringify(got?.with)}, want ${JSON.stringify(inputs)}`);
    }
    if (want.exposed) {
      const got = ran.find((x) => x.action === "secrets-to-env")?.exposed;
      expect(same(got, want.exposed), `${key}: exposed ${JSON.stringify(got)}, want ${JSON.stringify(want.exposed)}`);
    }
  }
  return { count, problems };
}

// Steps that change a runtime or its record.
const applies = (step) => step.runs && (
  (step.action === "apply" && step.with?.["dry-run"] !== "true") || step.action === "record-manifest" ||
  (step.action === "drift-verify" && step.with?.apply === "true"));
const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
  "issue_comment"];

// The promises every scenario keeps, whatever its expectations say. `groups` collects
// env → concurrency groups of applying jobs across scenarios.
function promises(s, decisions, groups) {
  const problems = [];
  const started = new Map(decisions.filter((d) => d.triggered).map((d) => [d.workflow, d.as]));
  const forkEvent = fromFork(s.event);
  for (const d of decisions.filter((x) => x.caller && x.runs)) {
    const key = reusableKey(d);
    const eventName = started.get(d.caller.split("/").slice(0, 2).join("/"));
    if (forkEvent) {
      if (d.secrets.length) problems.push(`fork pull request: ${key} gets secrets ${d.secrets.join(", ")}`);
      const exposed = d.steps.flatMap((x) => x.exposed ?? []);
      if (exposed.length) problems.push(`fork pull request: ${key} exposes ${exposed.join(", ")}`);
      const writes = Object.entries(d.permissions).filter(([, l]) => l === "write").map(([p]) => p);
      if (writes.length) problems.push(`fork pull request: ${key} has a write token (${writes.join(", ")})`);
    }
    for (const step of d.steps.filter(applies)) {
      const env = step.with?.env;
      if (PULL_REQUEST_EVENTS.includes(eventName) || PULL_REQUEST_EVENTS.includes(s.event.name))
        problems.push(`${key}: ${step.action} runs on ${eventName}`);
      if (d.environment !== env) problems.push(`${key}: ${step.action} of ${env} runs in GitHub environment ${d.environment}`);
      const want = { group: `converge-apply-${env}`, cancel: false };
      if (!same(d.concurrency, want)) problems.push(`${key}: ${step.action} of ${env} in concurrency ${JSON.stringify(d.concurrency)}`);
      if (!groups.has(env)) groups.set(env, new Map());
      groups.get(env).set(key, d.concurrency?.group);
    }
  }
  return problems;
}

// Runs every scenario against `f`; returns the problems (and counts).
async function runAll(f, { log }) {
  const callers = await loadCallers(f);
  const groups = new Map();
  let decisionsAsserted = 0;
  const problems = [];
  const runs = [];
  for (const s of scenarios()) {
    const own = s.callers
      ? await Promise.all(callers.map((c) => (s.callers[c.file]
        ? loadWorkflow(new Files(root, { ...f.overrides, [c.file]: s.callers[c.file](f.read(c.file)) }), c.file) : c)))
      : callers;
    const decisions = await runEvent(s.callers ? new Files(root, f.overrides) : f, own, s.event, world(s));
    const r = compare(s, decisions);
    const p = [...r.problems, ...promises(s, decisions, groups)];
    decisionsAsserted += r.count;
    problems.push(...p.map((x) => `${s.name}: ${x}`));
    if (log) check(p.length === 0, `${s.name} (${r.count} decisions)${p.length ? ": " + p.join("; ") : ""}`);
    runs.push({ scenario: s, decisions });
  }
  // One group per environment for every job that applies there, whatever the workflow.
  for (const [env, jobs] of groups) {
    const distinct = new Set(jobs.values());
    const ok = distinct.size === 1;
    if (!ok) problems.push(`${env}: applying jobs use ${[...distinct].join(", ")}`);
    if (log) check(ok, `${env}: ${[...jobs.keys()].join(", ")} share concurrency group ${[...distinct].join(", ")}`);
  }
  return { problems, decisionsAsserted, runs, groups };
}

// ---- the story ---------------------------------------------------------------------

const all = await runAll(files, { log: true });
check(all.groups.get("prod")?.size >= 3, `prod's applies come from deploy, rollback and drift apply (${[...(all.groups.get("prod")?.keys() ?? [])].join(", ")})`);

// ---- self-tests: each promise fails on a broken copy of the workflows --------------

// A copy of `file` with each [from, to] replaced.
const edit = (file, ...replacements) => {
  let text = files.read(file);
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`self-test: ${file} no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return { [file]: text };
};
const BROKEN = [
  ["the deploy caller also runs on pull_request", "converge-deploy.yml started",
    edit("workflows/converge-deploy.yml", ["on:\n  push:", "on:\n  pull_request:\n    branches: [develop, main]\n  push:"])],
  ["the pull request caller calls the rollback (an apply) instead of the plan", "runs on pull_request",
    edit("workflows/converge-pr.yml", ["converge-plan.yml@v0\n    with:\n      pr: ${{ inputs.pr }}\n" +
      "      environment: ${{ inputs.environment }}\n      sha: ${{ inputs.sha }}\n",
      "converge-rollback.yml@v0\n    with: { environment: stage, git-ref: \"${{ github.sha }}\" }\n"])],
  ["the plan caller on pull_request_target with secrets: inherit", "fork pull request",
    edit("workflows/converge-pr.yml", ["  pull_request:\n", "  pull_request_target:\n"],
      ["      statuses: write\n", "      statuses: write\n    secrets: inherit\n"])],
  ["the deploy job without its GitHub environment", "runs in GitHub environment",
    edit(".github/workflows/converge-deploy.yml",
      ["    environment:\n      name: ${{ inputs.github-environment || needs.route.outputs.environment }}\n", ""])],
  ["the rollback in its own concurrency group", "in concurrency",
    edit(".github/workflows/converge-rollback.yml", ["group: converge-apply-${{ inputs.environment }}",
      "group: converge-rollback-${{ inputs.environment }}"])],
  ["the deploy job without its if: (runs for a branch routed nowhere)", "deploy runs",
    edit(".github/workflows/converge-deploy.yml", ["    if: needs.route.outputs.environment != ''\n", ""])],
  ["record-manifest after a refused apply", "steps",
    edit(".github/workflows/converge-deploy.yml", ["if: ${{ !cancelled() && steps.apply.outputs.status != '' }}",
      "if: ${{ !cancelled() }}"])],
  ["the rollback passing an input apply does not declare (a renamed input)", "is not declared in actions/apply/action.yml",
    edit(".github/workflows/converge-rollback.yml", ["break-glass: ${{ inputs.break-glass }}\n          rollback: true",
      "breakglass: ${{ inputs.break-glass }}\n          rollback: true"])],
  ["the deploy caller without actions: read (the plan artifact's look-up)", "actions: read exceeds the caller's none",
    edit("workflows/converge-deploy.yml", ["      actions: read\n", ""])],
  ["the plan artifact's look-up giving curl the token as an argument", "kept sealed plan files",
    edit(".github/workflows/converge-deploy.yml", ["--header @<(printf 'Authorization: Bearer %s\\n' \"$TOKEN\")",
      "--header \"Authorization: Bearer $TOKEN\""])],
  ["the plan artifact of a fork's run downloaded", "kept sealed plan files",
    edit(".github/workflows/converge-deploy.yml", ["and\n                          .workflow_run.head_repository_id == .workflow_run.repository_id)", ")"])],
  ["the plan artifact downloaded whatever run id the API gives", "not a number",
    edit(".github/workflows/converge-deploy.yml", ["[[ $run =~ ^[1-9][0-9]{0,19}$ ]]", "[[ -n $run ]]"])],
  ["matrix: true also running the one plan job (two comments racing)", "converge-plan.yml/plan runs",
    edit(".github/workflows/converge-plan.yml", ["if: needs.route.outputs.environment != '' && !(inputs.matrix && inputs.pr == '')",
      "if: needs.route.outputs.environment != ''"])],
  ["the matrix's plan jobs given every target, not the listed ones", "plan-target (billing-db) runs",
    edit(".github/workflows/converge-plan.yml", ["target: ${{ fromJSON(needs.targets.outputs.targets) }}",
      "target: [app-db, reports-db, billing-db]"])],
  ["secrets-to-env given every secret's name", "exposed [",
    edit("actions/secrets-to-env/action.yml", ['read -r -a wanted <<<"${CONVERGE_NAMES:-}"',
      'mapfile -t wanted < <(jq -r \'keys[]\' <<<"$merged")'])]
];
for (const [what, expected, overrides] of BROKEN) {
  let problems;
  try {
    problems = (await runAll(new Files(root, overrides), { log: false })).problems;
  } catch (e) {
    problems = [String(e)];
  }
  const hit = problems.filter((p) => p.includes(expected));
  check(hit.length > 0, `self-test: ${what} is caught${hit.length ? ` (${hit[0]})` : `; got ${JSON.stringify(problems.slice(0, 3))}`}`);
}

// ---- the executables ----------------------------------------------------------------

const binDir = process.env.CONVERGE_BIN_DIR;
let executed = 0;
if (!binDir) {
  check(false, "CONVERGE_BIN_DIR is not set: the steps' executables cannot be run");
} else {
  // Every selected converge step, with the inputs the workflow passes, as flags (once
  // per step and set of flags).
  const seen = new Set();
  for (const { scenario, decisions } of all.runs) {
    for (const d of decisions.filter((x) => x.caller && x.runs)) {
      for (const step of d.steps.filter((x) => x.runs && x.action && x.action !== "secrets-to-env")) {
        const key = `${step.action} ${Object.keys(sorted(step.inputs)).filter((k) => step.inputs[k] !== "")}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const r = flagsAccepted(binDir, step.action, step.inputs);
        executed++;
        check(r.ok, `converge-${step.action} accepts ${r.args.join(" ")} (${scenario.name})${r.ok ? "" : ": " + r.message}`);
      }
    }
  }
  const bogus = flagsAccepted(binDir, "apply", { env: "prod", "no-such-flag": "x" });
  check(!bogus.ok, `self-test: converge-apply refuses a flag it does not have (${bogus.message})`);
  for (const { scenario } of all.runs.filter((x) => x.scenario.real)) {
    // The scenario's own callers (matrix: true), as runAll ran them.
    const callers = await loadCallers(files);
    const own = scenario.callers
      ? await Promise.all(callers.map((c) => (scenario.callers[c.file]
        ? loadWorkflow(new Files(root, { [c.file]: scenario.callers[c.file](files.read(c.file)) }), c.file) : c)))
      : callers;
    const r = await realRun(root, binDir, scenario, (runAction) => world(scenario, runAction), files, own);
    executed += r.executed;
    for (const [ok, what] of r.checks) check(ok, `real run, ${scenario.name}: ${what}`);
    const c = compare(scenario, r.decisions);
    check(c.problems.length === 0, `real run, ${scenario.name}: the same jobs and steps as modelled${c.problems.length ? ": " + c.problems.join("; ") : ""}`);
  }
}

const payloads = new Set(all.runs.map((x) => x.scenario.payload)).size;
const line = `workflow execution: ${all.runs.length} scenarios, ${payloads} event payloads, ${all.decisionsAsserted} job/step decisions asserted, ${BROKEN.length} broken copies caught, ${executed} step executions`;
console.log(failures === 0 ? line : `${failures} problem(s)`);
if (process.env.CONVERGE_COUNTS_DIR && failures === 0)
  writeFileSync(path.join(process.env.CONVERGE_COUNTS_DIR, "workflows.txt"), line + "\n");
process.exit(failures === 0 ? 0 : 1);
