#!/usr/bin/env node
// CRD schema check for wasmdeploy output.
//
// Validates every WasmPlugin (extensions.istio.io/v1alpha1) and EnvoyFilter
// (networking.istio.io/v1alpha3) document in the given multi-document YAML
// files against the OpenAPI schema of the Istio 1.29.2 CRDs, using the ajv
// validators that @kubernetes-models/istio ships (Model#validate()).
//
// Usage: node validate.mjs [--quiet] FILE_OR_DIR...
//   Directories are searched recursively for *.yaml / *.yml.
//   Other kinds are listed as "skipped".  Exit 1 if any document fails (or a
//   file does not parse), 2 on usage errors, 0 otherwise.
//
// Module resolution: ESM ignores NODE_PATH, so this file must sit next to the
// node_modules that holds the pinned packages; setup-tools.sh copies it into
// the tools cache and check.sh runs that copy.
//
// Not checked here (no engine in this package): x-kubernetes-validations CEL
// rules, e.g. URL scheme, selector/targetRefs exclusivity.  Unknown fields are
// accepted because the generated schemas do not set additionalProperties:false.
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";

const MODELS = {
  "extensions.istio.io/v1alpha1/WasmPlugin": WasmPlugin,
  "networking.istio.io/v1alpha3/EnvoyFilter": EnvoyFilter,
};

function collect(p, out) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p).sort()) collect(path.join(p, e), out);
  } else if (st.isFile() && /\.ya?ml$/i.test(p)) {
    out.push(p);
  }
}

const args = process.argv.slice(2);
const quiet = args[0] === "--quiet" ? (args.shift(), true) : false;
if (args.length === 0) {
  console.error("usage: validate.mjs [--quiet] FILE_OR_DIR...");
  process.exit(2);
}
const files = [];
for (const a of args) {
  if (!fs.existsSync(a)) {
    console.error(`error: ${a}: no such file or directory`);
    process.exit(2);
  }
  if (fs.statSync(a).isDirectory()) collect(a, files);
  else files.push(a);
}

let checked = 0, failed = 0, skipped = 0;
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  docs.forEach((doc, i) => {
    const where = `${file}#${i + 1}`;
    if (doc.errors && doc.errors.length) {
      failed++;
      for (const e of doc.errors) console.log(`FAIL ${where}: YAML: ${e.message.split("\n")[0]}`);
      return;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return; // empty document
    const id = `${obj.apiVersion}/${obj.kind}`;
    const name = obj.metadata && obj.metadata.name ? obj.metadata.name : "?";
    const Model = MODELS[id];
    if (!Model) {
      skipped++;
      if (!quiet) console.log(`skip ${where}: ${id} ${name} (not WasmPlugin/EnvoyFilter)`);
      return;
    }
    checked++;
    try {
      new Model(obj).validate();
      if (!quiet) console.log(`ok   ${where}: ${obj.kind} ${name}`);
    } catch (e) {
      failed++;
      const errs = Array.isArray(e.errors) ? e.errors : null;
      if (errs && errs.length) {
        for (const er of errs) {
          const extra = er.params && er.params.allowedValues ? ` ${JSON.stringify(er.params.allowedValues)}` : "";
          console.log(`FAIL ${where}: ${obj.kind} ${name}: ${er.instancePath || "/"} ${er.message}${extra}`);
        }
      } else {
        console.log(`FAIL ${where}: ${obj.kind} ${name}: ${e.message}`);
      }
    }
  });
}
console.log(`crd-schema: ${checked} checked, ${failed} failed, ${skipped} other documents skipped`);
process.exit(failed ? 1 : 0);
