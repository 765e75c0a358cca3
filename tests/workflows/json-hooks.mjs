// Node ESM loader hook for validate.mjs: @actions/workflow-parser's build imports
// its JSON schemas without `with { type: "json" }`, which Node 20 refuses
// (ERR_IMPORT_ASSERTION_TYPE_MISSING). Serve every .json module as an ES module
// whose default export is the parsed JSON, as a bundler would.
import { readFile } from "node:fs/promises";

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".json")) {
    const text = await readFile(new URL(url), "utf8");
    return { format: "module", source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
