// Baseline: validate route records with ajv (draft 2020-12, ajv-formats).
// usage: node validate_ajv.cjs NODE_MODULES SCHEMA PATH   (PATH: a folder of *.json files or a *.jsonl file)
// Prints {"records": N, "invalid": M} on stdout.
"use strict";
const fs = require("fs");
const path = require("path");
const [modulesArg, schemaPath, target] = process.argv.slice(2);
const modules = path.resolve(modulesArg);
const Ajv2020 = require(path.join(modules, "ajv/dist/2020")).default;
const addFormats = require(path.join(modules, "ajv-formats")).default;

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));

let records = 0;
let invalid = 0;
function check(text) {
  records += 1;
  if (!validate(JSON.parse(text))) {
    invalid += 1;
    process.stderr.write(JSON.stringify(validate.errors) + "\n");
  }
}

if (fs.statSync(target).isDirectory()) {
  const stack = [target];
  while (stack.length) {
    const dir = stack.pop();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(p);
      else if (entry.name.endsWith(".json")) check(fs.readFileSync(p, "utf8"));
    }
  }
} else {
  // Stream the JSON Lines file in chunks, so memory does not grow with the file.
  const fd = fs.openSync(target, "r");
  const buf = Buffer.alloc(1 << 20);
  let rest = "";
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const lines = (rest + buf.toString("utf8", 0, n)).split("\n");
    rest = lines.pop();
    for (const line of lines) if (line.trim()) check(line);
  }
  if (rest.trim()) check(rest);
}
process.stdout.write(JSON.stringify({ records, invalid }) + "\n");
