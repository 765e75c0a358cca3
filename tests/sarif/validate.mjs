// SPDX-License-Identifier: MIT
// Validates a SARIF log against the SARIF 2.1.0 JSON schema (the OASIS standard's
// final schema, "2.1.0-rtm.5", as @microsoft/jest-sarif ships it) with ajv, and prints
// {"valid": bool, "errors": [...]} as JSON. Usage: node validate.mjs FILE
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

// The schema is draft-04 ("id", not "$id").
const ajv = new Ajv({ schemaId: "id", allErrors: true, format: "full", logger: false });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);
const log = JSON.parse(readFileSync(process.argv[2], "utf8"));
const valid = validate(log);
process.stdout.write(JSON.stringify({ valid, errors: valid ? [] : validate.errors }) + "\n");
