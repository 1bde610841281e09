// Validate JSON files the way @microsoft/app-manifest's validateManifestAgainstSchema does
// (ajv in draft-04 mode, allErrors, strictTypes off, formats uri/email/regex). Its index.js
// cannot be required here (it needs fs-extra, which the package does not install), so this
// repeats its few lines. Usage: node ajv_validate.js SCHEMA.json INSTANCE.json
// Prints a JSON array of error strings (empty when valid).
"use strict";
const fs = require("fs");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const [schemaPath, instancePath] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const instance = JSON.parse(fs.readFileSync(instancePath, "utf8"));
const ajv = new Ajv({ allErrors: true, strictTypes: false });
addFormats(ajv, ["uri", "email", "regex"]);
const validate = ajv.compile(schema);
const errors = validate(instance)
  ? []
  : validate.errors.map((e) => `${e.instancePath} ${e.message || ""}`);
process.stdout.write(JSON.stringify(errors));
