// Validates each document of a JSON array (converge.yaml files read as JSON) against
// schema/converge.schema.json with Ajv in strict mode, and prints one JSON array of
// {"valid": bool, "errors": ["/path: message", …]} in the same order.
import Ajv from "ajv";
import { readFileSync } from "node:fs";

const [schemaPath, casesPath] = process.argv.slice(2);
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const results = cases.map((doc) => {
  const valid = validate(doc);
  return { valid, errors: valid ? [] : validate.errors.map((e) => `${e.instancePath || "/"}: ${e.message}`) };
});
process.stdout.write(JSON.stringify(results) + "\n");
