// The GitFlow story (shared/DESIGN.md, "The story it serves") as events, and what
// must happen for each: which caller workflows start, which jobs and steps of the
// reusable workflows run, in which GitHub environment and concurrency group, with
// which token permissions, secrets and action inputs. Every event is a real recorded
// payload from shared/testdata/github-events (as recorded, or with the branch, base
// or inputs of the story put in); execute.mjs runs them through engine.mjs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const EVENTS_DIR = process.env.CONVERGE_SHARED_TESTDATA
  ? path.join(process.env.CONVERGE_SHARED_TESTDATA, "github-events")
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared/testdata/github-events");

// The real payloads (SOURCES.md).
export const PAYLOADS = {
  push: "reallyfastci/push/webhook-push-to-master.json",
  opened: "octokit-webhooks/pull_request/opened.payload.json",
  synchronize: "octokit-webhooks/pull_request/synchronize.payload.json",
  closed: "reallyfastci/pull_request/webhook-pr-close.json",
  review: "hub4j-github-api/pull_request_review/pull_request_review.json",
  dispatch: "octokit-webhooks/workflow_dispatch/payload.json"
};
export const payload = (name) => JSON.parse(readFileSync(path.join(EVENTS_DIR, PAYLOADS[name]), "utf8"));

// A payload with the story's values put in (`edit` changes a copy).
const edited = (name, edit) => {
  const p = payload(name);
  p.repository.default_branch = "main";
  edit(p);
  return p;
};
const pushTo = (ref) => edited("push", (p) => { p.ref = ref; });
const pullTo = (name, base, head = "dev/add-invoices") => edited(name, (p) => {
  p.pull_request.base.ref = base;
  p.pull_request.head.ref = head;
});
const dispatch = (inputs) => edited("dispatch", (p) => { p.ref = "refs/heads/main"; p.inputs = inputs; });

// What the jobs see: repository secrets (`secrets: inherit`), each GitHub
// environment's secrets, and the names the trusted converge.yaml declares.
export const WORLD = {
  repoSecrets: { SLACK_WEBHOOK: "repo-secret-slack" },
  // One name, one value per GitHub environment: a dev job never holds prod's value.
  environmentSecrets: {
    dev: { DATABASE_URL: "dev-secret-url" },
    stage: { DATABASE_URL: "stage-secret-url" },
    "stage-plan": { DATABASE_URL: "stage-readonly-url" },
    prod: { DATABASE_URL: "prod-secret-url", OTHER_TEAM_KEY: "not-for-converge" },
    "prod-plan": { DATABASE_URL: "prod-readonly-url" }
  },
  secretNames: { dev: "DATABASE_URL", stage: "DATABASE_URL", prod: "DATABASE_URL" },
  vars: {},
  token: "ghs_" + "0".repeat(36)
};

export const TOKEN = WORLD.token;

// GitHub's answers to the deploy's look-up of the merged pull request's sealed plan
// files: the push's commit is pull request #2's merge commit; its artifacts are an
// older and a newer one of this repository's runs, a still newer one of a fork's run
// (never taken: a fork can name an artifact anything) and an expired one.
const PUSHED = "a21683865c088b5fe1906cf6552d15a285a4986d";  // the recorded push's `after`
const artifact = (run, created, { fork = false, expired = false } = {}) => ({
  name: "converge-tfplans-stage-2", expired, created_at: created,
  workflow_run: { id: run, repository_id: 10, head_repository_id: fork ? 99 : 10 }
});
export const PLANS_API = {
  [`commits/${PUSHED}/pulls`]: [
    { number: 1, merged_at: "2026-11-01T10:00:00Z", merge_commit_sha: "b".repeat(40) },
    { number: 2, merged_at: "2026-12-01T10:00:00Z", merge_commit_sha: PUSHED }
  ],
  "actions/artifacts?name=converge-tfplans-stage-2&per_page=100": {
    total_count: 4,
    artifacts: [artifact(111, "2026-12-01T08:00:00Z"), artifact(222, "2026-12-01T09:00:00Z"),
      artifact(333, "2026-12-01T09:30:00Z", { fork: true }), artifact(444, "2026-12-01T09:45:00Z", { expired: true })]
  }
};
// The same with hostile values where numbers belong: nothing is downloaded.
const hostile = (pr, run) => ({
  [`commits/${PUSHED}/pulls`]: [{ number: pr, merged_at: "2026-12-01T10:00:00Z", merge_commit_sha: PUSHED }],
  [`actions/artifacts?name=converge-tfplans-stage-${pr}&per_page=100`]: {
    artifacts: [{ ...artifact(222, "2026-12-01T09:00:00Z"), workflow_run: { id: run, repository_id: 10, head_repository_id: 10 } }]
  }
});
const CHECKOUT = "actions/checkout@v4";

// Expected jobs, keyed "<reusable workflow>/<job>"; a job not listed must not run.
// steps: the steps that run, in order (converge's actions by name, others by `uses`,
// `run` for a script); with: the exact inputs of the named steps (by step id, action
// or `uses`); exposed: the secrets secrets-to-env makes environment variables.
// `plans`: the artifact of sealed Terraform plan files found ({name, run}), downloaded
// (the "run" step right after the checkout looks it up) before apply.
const DOWNLOAD = "actions/download-artifact@v4";
const deployJob = (env, { plans = null } = {}) => ({
  "converge-deploy.yml/route": { steps: ["run"] },
  "converge-deploy.yml/deploy": {
    environment: env,
    concurrency: { group: `converge-apply-${env}`, cancel: false },
    permissions: { actions: "read", contents: "read", deployments: "write", "pull-requests": "write" },
    secrets: Object.keys({ ...WORLD.repoSecrets, ...WORLD.environmentSecrets[env] }).sort(),
    steps: [CHECKOUT, "run", ...(plans ? [DOWNLOAD] : []), "secret-names", "secrets-to-env", "apply", "record-manifest"],
    with: {
      ...(plans ? { [DOWNLOAD]: { name: plans.name, "run-id": plans.run, "github-token": WORLD.token,
        path: ".converge/plans" } } : {}),
      "secret-names": { env, config: "converge.yaml" },
      apply: { env, config: "converge.yaml" },
      "record-manifest": { env, config: "converge.yaml" }
    },
    exposed: [WORLD.secretNames[env]]
  }
});
// A job of a repository that has .github/actions/converge-setup: that action runs
// right after the secrets are exposed, before converge connects to anything.
const withSetup = (jobs, key) => {
  const steps = [...jobs[key].steps];
  steps.splice(steps.indexOf("secrets-to-env") + 1, 0, "./.github/actions/converge-setup");
  return { ...jobs, [key]: { ...jobs[key], steps } };
};
// The deploy job when apply writes no result: record-manifest is skipped.
const refused = (job) => {
  const { "record-manifest": _, ...rest } = job.with;
  return { ...job, steps: job.steps.filter((x) => x !== "record-manifest"), with: rest };
};
// A re-plan (`replan`: {pr, sha}) is the workflow_dispatch of a merged pull request:
// the merge commit checked out, plan-comment told the pull request's number.
const planJob = (env, number, { fork = false, replan = null } = {}) => ({
  "converge-plan.yml/route": { steps: ["run"] },
  "converge-plan.yml/plan": {
    environment: `${env}-plan`,
    concurrency: { group: `converge-plan-${env}-${number}`, cancel: true },
    permissions: fork ? { contents: "read", deployments: "read", "pull-requests": "read", statuses: "read" }
      : { contents: "read", deployments: "read", "pull-requests": "write", statuses: "write" },
    secrets: fork ? [] : Object.keys(WORLD.environmentSecrets[`${env}-plan`]),
    steps: [CHECKOUT, "secret-names", "secrets-to-env", "plan-comment", "actions/upload-artifact@v4", "run",
      "actions/upload-artifact@v4"],
    with: {
      [CHECKOUT]: { ref: replan ? replan.sha : "", "fetch-depth": "0", "persist-credentials": "false" },
      "secret-names": { env, config: "converge.yaml" },
      "plan-comment": { env, config: "converge.yaml", pr: replan ? replan.pr : "", out: "plan.json" },
      "actions/upload-artifact@v4": { name: `converge-plan-${env}-${number}`, path: "plan.json", "if-no-files-found": "ignore" },
      // The second upload (named by its step id): the sealed Terraform plan files.
      "keep-tfplans": { name: `converge-tfplans-${env}-${number}`,
        path: ".converge/plans", "if-no-files-found": "ignore", "retention-days": "14" }
    },
    exposed: fork ? [] : [WORLD.secretNames[env]]
  }
});
// The pull request caller with `matrix: true` (docs/steps/plan-comment.md, "A matrix of
// targets"): one job lists the targets the pull request changes (`targets`, a JSON
// list), one job plans each, one job merges their plans into the comment. A re-plan
// still runs in the one plan job.
export const MATRIX_CALLER = (text) => text.replace("      sha: ${{ inputs.sha }}\n", "      sha: ${{ inputs.sha }}\n      matrix: true\n");
const matrixPlanJobs = (env, number, targets) => ({
  "converge-plan.yml/route": { steps: ["run"] },
  "converge-plan.yml/targets": {
    environment: `${env}-plan`, concurrency: { group: `converge-plan-${env}-${number}-targets`, cancel: true },
    permissions: { contents: "read" }, secrets: Object.keys(WORLD.environmentSecrets[`${env}-plan`]),
    steps: [CHECKOUT, "plan-comment"],
    with: { "plan-comment": { env, config: "converge.yaml", "list-targets": "true" } }
  },
  ...Object.fromEntries(targets.map((target) => [`converge-plan.yml/plan-target (${target})`, {
    environment: `${env}-plan`,
    concurrency: { group: `converge-plan-${env}-${number}-${target}`, cancel: true },
    permissions: { contents: "read", deployments: "read" },
    secrets: Object.keys(WORLD.environmentSecrets[`${env}-plan`]),
    steps: [CHECKOUT, "secret-names", "secrets-to-env", "plan", "actions/upload-artifact@v4", "run",
      "actions/upload-artifact@v4"],
    with: {
      plan: { env, config: "converge.yaml", target, out: `plans/plan-${target}.json` },
      "actions/upload-artifact@v4": { name: `converge-target-plan-${env}-${number}-${target}`,
        path: `plans/plan-${target}.json`, "retention-days": "1" },
      "keep-target-tfplans": { name: `converge-tfplans-part-${env}-${number}-${target}`, path: ".converge/plans",
        "if-no-files-found": "ignore", "retention-days": "1" }
    },
    exposed: [WORLD.secretNames[env]]
  }])),
  "converge-plan.yml/merge": {
    environment: `${env}-plan`,
    concurrency: { group: `converge-plan-${env}-${number}`, cancel: true },
    permissions: { contents: "read", "pull-requests": "write", statuses: "write" },
    secrets: Object.keys(WORLD.environmentSecrets[`${env}-plan`]),
    steps: [CHECKOUT, ...(targets.length ? ["actions/download-artifact@v4"] : []), "plan-comment", "actions/upload-artifact@v4",
      "run", ...(targets.length ? ["actions/download-artifact@v4"] : []), "actions/upload-artifact@v4"],
    with: {
      ...(targets.length ? { "actions/download-artifact@v4": { pattern: `converge-target-plan-${env}-${number}-*`,
        path: "plans", "merge-multiple": "true" } } : {}),
      "plan-comment": { env, config: "converge.yaml", from: "plans/*.json", out: "plan.json" },
      // The targets' sealed Terraform plan files kept as one job keeps them.
      "keep-tfplans": { name: `converge-tfplans-${env}-${number}`, path: ".converge/plans",
        "if-no-files-found": "ignore", "retention-days": "14" }
    }
  }
});
const listed = (targets) => ({ "plan-comment": { code: 0, outputs: { targets: JSON.stringify(targets),
  environment: "stage", "has-changes": "true", "plan-hash": "f".repeat(64), "comment-url": "https://github.com/c" } } });

const rollbackJob = ({ dryRun }) => ({
  "converge-rollback.yml/rollback": {
    environment: "prod",
    concurrency: { group: "converge-apply-prod", cancel: false },
    permissions: { contents: "read", deployments: "write", "pull-requests": "write" },
    secrets: ["DATABASE_URL", "OTHER_TEAM_KEY", "SLACK_WEBHOOK"],
    steps: [CHECKOUT, "secret-names", "secrets-to-env", "apply", ...(dryRun ? [] : ["record-manifest"])],
    with: {
      [CHECKOUT]: { ref: "v1.1.0", "fetch-depth": "0", "persist-credentials": "false" },
      "secret-names": { env: "prod", config: "converge.yaml", "trusted-ref": "origin/main" },
      apply: {
        env: "prod", config: "converge.yaml", "break-glass": "", rollback: "true", "github-environment": "prod",
        "trusted-ref": "origin/main", "dry-run": String(dryRun)
      }
    },
    exposed: ["DATABASE_URL"]
  }
});
const driftJob = (mode) => ({
  "converge-drift.yml/drift": {
    environment: mode === "apply" ? "prod" : "prod-plan",
    concurrency: { group: `converge-${mode === "apply" ? "apply" : "drift"}-prod`, cancel: false },
    permissions: { contents: "read", deployments: "write", issues: "write" },
    secrets: mode === "apply" ? ["DATABASE_URL", "OTHER_TEAM_KEY", "SLACK_WEBHOOK"] : ["DATABASE_URL", "SLACK_WEBHOOK"],
    steps: ["run", CHECKOUT, "secret-names", "secrets-to-env", "drift-verify", ...(mode === "apply" ? ["record-manifest"] : [])],
    with: {
      "drift-verify": { env: "prod", config: "converge.yaml", apply: String(mode === "apply"), issue: "true" }
    },
    exposed: ["DATABASE_URL"]
  }
});

// A drift caller in apply mode: the starter caller with `mode: apply`, as docs/adopt.md
// tells users to write it.
export const DRIFT_APPLY_CALLER = (text) => text.replace("mode: detect", "mode: apply");

export function scenarios() {
  return [
    // --- the real payloads as recorded: none of them is an event of the GitFlow.
    { name: "recorded push to master (not an environment branch)", payload: "push",
      event: { name: "push", payload: payload("push") }, triggered: [], jobs: {} },
    { name: "recorded pull request opened to master", payload: "opened",
      event: { name: "pull_request", payload: payload("opened") }, triggered: [], jobs: {} },
    { name: "recorded pull request synchronize to master", payload: "synchronize",
      event: { name: "pull_request", payload: payload("synchronize") }, triggered: [], jobs: {} },
    { name: "recorded pull request closed (merged) to master", payload: "closed",
      event: { name: "pull_request", payload: payload("closed") }, triggered: [], jobs: {} },
    { name: "recorded review approval from a fork", payload: "review",
      event: { name: "pull_request_review", payload: payload("review") }, triggered: [], jobs: {} },
    { name: "recorded workflow_dispatch of the drift check", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-drift.yml", payload: payload("dispatch") },
      triggered: ["workflows/converge-drift.yml"], jobs: driftJob("detect") },

    // --- the story.
    { name: "push to dev/add-invoices → dev applied and recorded", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/dev/add-invoices") },
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("dev"), real: "push-dev" },
    { name: "push to dev/** whose apply fails with a result → still recorded", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/dev/add-invoices") },
      outputs: { apply: { code: 1, outputs: { status: "failure" } } },
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("dev") },
    { name: "push to dev/** whose apply is refused (no result) → nothing recorded", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/dev/add-invoices") },
      outputs: { apply: { code: 1, outputs: {} } },
      triggered: ["workflows/converge-deploy.yml"],
      jobs: { ...deployJob("dev"), "converge-deploy.yml/deploy": refused(deployJob("dev")["converge-deploy.yml/deploy"]) } },
    { name: "pull request opened to develop → stage plan comment", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "develop") },
      triggered: ["workflows/converge-pr.yml"], jobs: planJob("stage", 2), real: "pr-develop" },
    { name: "pull request synchronized to develop → stage plan again", payload: "synchronize",
      event: { name: "pull_request", payload: pullTo("synchronize", "develop") },
      triggered: ["workflows/converge-pr.yml"], jobs: planJob("stage", 2) },
    { name: "pull request from a fork to develop → plan with no secrets, read-only token", payload: "review",
      event: { name: "pull_request", payload: edited("review", (p) => {
        p.action = "opened"; p.pull_request.base.ref = "develop"; delete p.review;
      }) },
      triggered: ["workflows/converge-pr.yml"], jobs: planJob("stage", 8, { fork: true }) },
    { name: "pull request merged to develop: the closed event starts nothing", payload: "closed",
      event: { name: "pull_request", payload: pullTo("closed", "develop") }, triggered: [], jobs: {} },
    { name: "merge to develop: the push → stage applied", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/develop") },
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("stage"), real: "push-develop" },
    { name: "merge to develop whose pull request kept sealed plan files → the newest of its own runs downloaded before apply",
      payload: "push", event: { name: "push", payload: pushTo("refs/heads/develop") }, api: PLANS_API,
      triggered: ["workflows/converge-deploy.yml"],
      jobs: deployJob("stage", { plans: { name: "converge-tfplans-stage-2", run: "222" } }) },
    { name: "merge to develop, the API answering a run id that is not a number → nothing downloaded", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/develop") }, api: hostile(2, "222 --path=/etc"),
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("stage") },
    { name: "merge to develop, the API answering a pull request number that is not a number → nothing looked up",
      payload: "push", event: { name: "push", payload: pushTo("refs/heads/develop") }, api: hostile("2\nrun-id=1", 222),
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("stage") },
    { name: "merge to develop in a repository with its own setup action → it runs before apply", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/develop") },
      files: [".github/actions/converge-setup/action.yml"],
      triggered: ["workflows/converge-deploy.yml"], jobs: withSetup(deployJob("stage"), "converge-deploy.yml/deploy") },
    { name: "pull request develop → main → prod plan comment", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "main", "develop") },
      triggered: ["workflows/converge-pr.yml"], jobs: planJob("prod", 2) },
    { name: "workflow_dispatch re-plan of merged pull request #7 → its merge commit planned for prod", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-pr.yml",
        payload: dispatch({ pr: "7", environment: "prod", sha: "c0ffee0000000000000000000000000000c0ffee" }) },
      triggered: ["workflows/converge-pr.yml"],
      jobs: planJob("prod", 7, { replan: { pr: "7", sha: "c0ffee0000000000000000000000000000c0ffee" } }) },
    { name: "pull request to develop with matrix: true → the changed target planned in its own job, then merged", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "develop") },
      callers: { "workflows/converge-pr.yml": MATRIX_CALLER }, outputs: listed(["app-db"]),
      files: ["plans/plan-app-db.json"],
      triggered: ["workflows/converge-pr.yml"], jobs: matrixPlanJobs("stage", 2, ["app-db"]), real: "pr-develop-matrix" },
    { name: "pull request to develop with matrix: true and two changed targets → two plan jobs, one merge", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "develop") },
      callers: { "workflows/converge-pr.yml": MATRIX_CALLER }, outputs: listed(["app-db", "reports-db"]),
      files: ["plans/plan-app-db.json", "plans/plan-reports-db.json"],
      triggered: ["workflows/converge-pr.yml"], jobs: matrixPlanJobs("stage", 2, ["app-db", "reports-db"]) },
    { name: "pull request to develop with matrix: true changing no target → no plan job, the merge lists them all", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "develop") },
      callers: { "workflows/converge-pr.yml": MATRIX_CALLER }, outputs: listed([]),
      triggered: ["workflows/converge-pr.yml"], jobs: matrixPlanJobs("stage", 2, []) },
    { name: "workflow_dispatch re-plan with matrix: true → still the one plan job", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-pr.yml",
        payload: dispatch({ pr: "7", environment: "prod", sha: "c0ffee0000000000000000000000000000c0ffee" }) },
      callers: { "workflows/converge-pr.yml": MATRIX_CALLER }, triggered: ["workflows/converge-pr.yml"],
      jobs: planJob("prod", 7, { replan: { pr: "7", sha: "c0ffee0000000000000000000000000000c0ffee" } }) },
    { name: "pull request to a feature branch → routed to no environment, nothing planned", payload: "opened",
      event: { name: "pull_request", payload: pullTo("opened", "release/1.0") }, triggered: [], jobs: {} },
    { name: "approval of the prod pull request starts nothing (apply reads reviews)", payload: "review",
      event: { name: "pull_request_review", payload: edited("review", (p) => { p.pull_request.base.ref = "main"; }) },
      triggered: [], jobs: {} },
    { name: "merge to main: the push → prod applied in the prod environment", payload: "push",
      event: { name: "push", payload: pushTo("refs/heads/main") },
      triggered: ["workflows/converge-deploy.yml"], jobs: deployJob("prod") },
    { name: "push to release/1.0 with a caller on every branch → routed nowhere, nothing applied", payload: "push",
      callers: { "workflows/converge-deploy.yml": (text) => text.replace('branches: ["dev/**", develop, main]', 'branches: ["**"]') },
      event: { name: "push", payload: pushTo("refs/heads/release/1.0") },
      triggered: ["workflows/converge-deploy.yml"], jobs: { "converge-deploy.yml/route": { steps: ["run"] } } },
    { name: "push of a tag v1.1.0 deploys nothing", payload: "push",
      event: { name: "push", payload: pushTo("refs/tags/v1.1.0") }, triggered: [], jobs: {} },
    { name: "nightly schedule → prod drift detect", payload: "push",
      event: { name: "schedule", payload: { schedule: "0 1 * * *", repository: edited("push", () => {}).repository } },
      triggered: ["workflows/converge-drift.yml"], jobs: driftJob("detect") },
    { name: "nightly schedule, drift mode apply → reconciled in prod's apply group", payload: "push",
      callers: { "workflows/converge-drift.yml": DRIFT_APPLY_CALLER },
      event: { name: "schedule", payload: { schedule: "0 1 * * *", repository: edited("push", () => {}).repository } },
      outputs: { "drift-verify": { code: 0, outputs: { drift: "false", applied: "true" } } },
      triggered: ["workflows/converge-drift.yml"], jobs: driftJob("apply") },
    { name: "workflow_dispatch rollback of prod to v1.1.0", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-rollback.yml",
        payload: dispatch({ environment: "prod", "git-ref": "v1.1.0", "break-glass": "", "dry-run": "false" }) },
      triggered: ["workflows/converge-rollback.yml"], jobs: rollbackJob({ dryRun: false }) },
    { name: "workflow_dispatch rollback dry run → nothing recorded", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-rollback.yml",
        payload: dispatch({ environment: "prod", "git-ref": "v1.1.0", "dry-run": "true" }) },
      triggered: ["workflows/converge-rollback.yml"], jobs: rollbackJob({ dryRun: true }) },
    { name: "workflow_dispatch export of prod's bi-assets → a pull request, read-only environment", payload: "dispatch",
      event: { name: "workflow_dispatch", workflow: "workflows/converge-export.yml",
        payload: dispatch({ environment: "prod", target: "bi-assets" }) },
      triggered: ["workflows/converge-export.yml"],
      jobs: { "converge-export.yml/export": {
        environment: "prod-plan",
        concurrency: { group: "converge-export-prod", cancel: false },
        permissions: { contents: "write", "pull-requests": "write" },
        secrets: ["DATABASE_URL", "SLACK_WEBHOOK"],
        steps: [CHECKOUT, "secret-names", "secrets-to-env", "export-to-pr"],
        with: { "export-to-pr": { env: "prod", target: "bi-assets", branch: "", base: "", "dry-run": "false",
          config: "converge.yaml", token: TOKEN } },
        exposed: ["DATABASE_URL"] } } }
  ];
}

