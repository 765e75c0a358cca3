// The executables behind the workflows' steps (execute.mjs): the flags a step's
// inputs become are accepted by the step, and whole scenarios run for real — each
// selected converge step's executable started as the runner starts a container
// action (INPUT_<NAME> for every input, the GITHUB_* environment, the environment
// variables secrets-to-env exported), in a scratch Git repository on SQLite, against
// the local GitHub server (tests/github/server/server.js).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseCommandFile, runEvent } from "./engine.mjs";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const exePath = (binDir, action) => path.join(binDir, action === "converge" ? "converge" : `converge-${action}`);
// The last lines a finished (or failed to start) process printed.
const lastLines = (r) => `exit ${r.status}: ${(`${r.stderr ?? ""}${r.stdout ?? ""}` || String(r.error)).trim()
  .split("\n").slice(-3).join(" | ")}`;

// Runs converge-<action> with the inputs as flags (--<name>=<value>; the runner's
// INPUT_<NAME> fills the same flags, but an input without a flag is ignored there,
// so a renamed flag or input would go unnoticed) and --help: the option parser reads
// every flag first and refuses an unknown one with exit 2.
export function flagsAccepted(binDir, action, inputs) {
  const args = Object.entries(inputs)
    .filter(([name, value]) => name !== "token" && value !== "")
    .map(([name, value]) => `--${name}=${value}`);
  const r = spawnSync(exePath(binDir, action), [...args, "--help"],
    { encoding: "utf8", timeout: 20000, env: { PATH: process.env.PATH } });
  const ok = r.status === 0 && /Usage:/.test(r.stdout);
  return { ok, args, message: lastLines(r) };
}

// ---- a consumer repository -----------------------------------------------------------

// As docs/adopt.md and \`converge init\` set it up: the manifest in GitHub deployments,
// so the deploy reaches dev with no manifest secret at all.
const CONVERGE_YAML = `version: 1
manifest:
  url: "github:"
environments:
  - name: dev
    branch: "dev/**"
    secrets: [DATABASE_URL]
  - name: stage
    branch: develop
    secrets: [DATABASE_URL]
  - name: prod
    branch: main
    secrets: [DATABASE_URL]
    gates:
      approvals: 1
      distinct_approver: true
targets:
  - name: app-db
    provider: sql
    settings:
      url: \${DATABASE_URL}
      migrations: db/migrations
`;
const MIGRATION = (table) =>
  `-- migrate:up\ncreate table ${table} (id integer primary key);\n-- migrate:down\ndrop table ${table};\n`;

function git(dir, ...args) {
  return execFileSync("git", args, {
    cwd: dir, encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "alice",
      GIT_AUTHOR_EMAIL: "alice@example.com", GIT_COMMITTER_NAME: "alice", GIT_COMMITTER_EMAIL: "alice@example.com" }
  }).trim();
}

// main (converge.yaml, a users table) → develop; dev/add-invoices adds invoices.
function consumerRepo(dir) {
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(path.join(dir, "converge.yaml"), CONVERGE_YAML);
  writeFileSync(path.join(dir, ".gitignore"), ".converge/\n");
  mkdirSync(path.join(dir, "db/migrations"), { recursive: true });
  writeFileSync(path.join(dir, "db/migrations/20260101000000_users.sql"), MIGRATION("users"));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "converge.yaml and users");
  const main = git(dir, "rev-parse", "HEAD");
  git(dir, "branch", "develop");
  git(dir, "checkout", "-q", "-b", "dev/add-invoices");
  writeFileSync(path.join(dir, "db/migrations/20260102000000_invoices.sql"), MIGRATION("invoices"));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Add invoices");
  const feature = git(dir, "rev-parse", "HEAD");
  // refs/pull/2/merge, as GitHub makes it: the feature merged into develop.
  git(dir, "checkout", "-q", "--detach", "develop");
  git(dir, "merge", "-q", "--no-ff", "--no-edit", "dev/add-invoices");
  const merge = git(dir, "rev-parse", "HEAD");
  return { main, feature, merge };
}

// ---- the local GitHub server -----------------------------------------------------------

async function startServer(root, token, repository) {
  const child = spawn("node", [path.join(root, "tests/github/server/server.js"), "--token", token, "--repository", repository],
    { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error("github server: no port within 20 s")), 20000);
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const m = buffer.match(/^listening (\d+)\n/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on("exit", () => reject(new Error("github server exited before it was ready")));
  });
  const url = `http://127.0.0.1:${port}`;
  const control = async (method, what, body) => {
    const r = await fetch(`${url}/_control/${what}`, { method, headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`github server: ${method} ${what}: ${r.status}`);
    return r.json();
  };
  return { url, control, stop: () => child.stdin.end() };
}

// ---- one scenario, for real ----------------------------------------------------------

// The plan hash of the real pull request run in one job, which the matrix run's merge
// must equal (the scenarios run in order: pr-develop first).
const planHashes = {};

// Runs `scenario` (real: "push-dev", "push-develop" — the merge commit pushed — or
// "pr-develop", or "pr-develop-matrix": the same with matrix: true) with every converge step
// executed; returns the decisions and [ok, what] checks of what the steps did.
export async function realRun(root, binDir, scenario, worldFor, files, callers) {
  const dir = mkdtempSync(path.join(tmpdir(), "converge-wf-real-"));
  const repo = path.join(dir, "repo");
  mkdirSync(repo);
  const checks = [];
  let executed = 0;
  let server;
  try {
    const shas = consumerRepo(repo);
    const payload = structuredClone(scenario.event.payload);
    let sha;
    if (scenario.real === "push-dev") {
      git(repo, "checkout", "-q", "dev/add-invoices");
      Object.assign(payload, { before: shas.main, after: shas.feature });
      sha = shas.feature;
    } else if (scenario.real === "push-develop") {
      Object.assign(payload, { before: shas.main, after: shas.merge });
      sha = shas.merge;
    } else {
      const pr = payload.pull_request;
      pr.head.sha = shas.feature;
      pr.base.sha = shas.main;
      pr.merge_commit_sha = shas.merge;
      sha = shas.merge;
    }
    const world = worldFor(null);
    server = await startServer(root, world.token, payload.repository.full_name);
    if (scenario.real.startsWith("pr-develop"))
      await server.control("POST", "seed", { pulls: [{ number: payload.pull_request.number, user: "alice",
        head: { ref: payload.pull_request.head.ref, sha: shas.feature }, base: { ref: payload.pull_request.base.ref },
        commits: [{ sha: shas.feature, author: "alice" }] }] });
    const eventPath = path.join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify(payload));
    const runnerTemp = path.join(dir, "runner-temp");
    mkdirSync(runnerTemp);

    let stepNumber = 0;
    const runAction = (action, inputs, info) => {
      const output = path.join(dir, `output-${++stepNumber}`);
      writeFileSync(output, "");
      const env = {
        PATH: process.env.PATH, HOME: dir,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? "", UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? "",
        GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: info.github.repository, GITHUB_API_URL: server.url,
        GITHUB_SERVER_URL: "https://github.com", GITHUB_RUN_ID: info.github.run_id, GITHUB_RUN_ATTEMPT: "1",
        GITHUB_JOB: info.decision.job, GITHUB_WORKSPACE: repo, RUNNER_TEMP: runnerTemp,
        GITHUB_ACTOR: info.github.actor, GITHUB_EVENT_NAME: info.github.event_name, GITHUB_EVENT_PATH: eventPath,
        GITHUB_SHA: sha, GITHUB_REF: info.github.ref, GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"), CONVERGE_HTTP_TIMEOUT_MS: "5000", ...info.env
      };
      // The runner's container action inputs: INPUT_<NAME>, the name upper-cased.
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
      const r = spawnSync(exePath(binDir, action), [], { cwd: repo, env, encoding: "utf8", timeout: 60000 });
      executed++;
      const outputs = parseCommandFile(readFileSync(output, "utf8"));
      checks.push([r.status === 0, `converge-${action} exits 0${r.status === 0 ? "" : ` (${lastLines(r)})`}`]);
      return { code: r.status ?? 3, outputs };
    };
    const realWorld = {
      ...world,
      // The GitHub environments' secret: each environment's own SQLite database.
      environmentSecrets: Object.fromEntries(Object.entries(world.environmentSecrets).map(([env, secrets]) =>
        [env, { ...secrets, DATABASE_URL: `sqlite:///.converge/${env}.db` }])),
      files: { has: (file) => existsSync(path.join(repo, file)) },
      runAction
    };
    const decisions = await runEvent(files, callers, { ...scenario.event, payload }, realWorld);
    const steps = decisions.filter((d) => d.caller && d.runs).flatMap((d) => d.steps.filter((s) => s.runs));
    const step = (action) => steps.find((s) => s.action === action);
    checks.push([step("secret-names")?.outputs?.names === "DATABASE_URL",
      `secret-names reads DATABASE_URL from the trusted converge.yaml (${JSON.stringify(step("secret-names")?.outputs)})`]);
    if (scenario.real.startsWith("push-")) {
      const env = step("apply")?.inputs?.env;
      const databases = ["dev", "stage", "prod"].filter((e) => existsSync(path.join(repo, `.converge/${e}.db`)));
      checks.push([step("apply")?.outputs?.status === "success", `apply reports status success (${JSON.stringify(step("apply")?.outputs)})`]);
      checks.push([same(databases, [env]),
        `the ${env} environment's DATABASE_URL, and only it, reached apply through secrets-to-env (databases: ${databases.join(", ")})`]);
      checks.push([Number(step("record-manifest")?.outputs?.recorded) >= 1,
        `record-manifest ran after the apply and recorded it (${JSON.stringify(step("record-manifest")?.outputs)})`]);
      const deployments = (await server.control("GET", "state"))?.deployments ?? [];
      checks.push([deployments.some((d) => d.environment === env && d.task === "deploy:converge" && d.sha === sha),
        `the manifest row is a GitHub deployment of ${sha.slice(0, 12)} to ${env} (no manifest secret; ${deployments.length} deployment(s))`]);
    } else {
      const comments = (await server.control("GET", `comments?issue=${payload.pull_request.number}`)) ?? [];
      // The comment's plan: with matrix: true the last plan-comment merges (the first lists).
      const merged = steps.filter((s) => s.action === "plan-comment").at(-1);
      const hash = merged?.outputs?.["plan-hash"];
      if (scenario.real === "pr-develop") planHashes.single = hash;
      if (scenario.real === "pr-develop-matrix") {
        checks.push([step("plan-comment")?.outputs?.targets === '["app-db"]',
          `list-targets names the target the pull request changes (${JSON.stringify(step("plan-comment")?.outputs)})`]);
        checks.push([existsSync(path.join(repo, "plans/plan-app-db.json")) && step("plan")?.inputs?.target === "app-db",
          "the matrix job planned app-db alone into plans/plan-app-db.json"]);
        checks.push([merged?.inputs?.from === "plans/*.json" && planHashes.single !== undefined && hash === planHashes.single,
          `the merged plan hashes as the one job's plan of the same pull request (${hash}, ${planHashes.single})`]);
      }
      checks.push([comments.length === 1 && /env=stage /.test(comments[0].body),
        `one sticky stage plan comment on pull request #${payload.pull_request.number} (${comments.length} comment(s))`]);
      checks.push([/^[0-9a-f]{64}$/.test(hash ?? ""),
        "plan-comment outputs the plan hash"]);
      checks.push([existsSync(path.join(repo, "plan.json")) && steps.some((s) => s.uses === "actions/upload-artifact@v4"),
        "plan.json was written, so the artifact step runs (hashFiles)"]);
    }
    return { executed, checks, decisions };
  } finally {
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
