// Checks captured payloads with the platforms' own SDKs (run by PlatformSdkTests; `npm ci` in this folder first).
//   node check.mjs <payload-dir> <teams-manifest.json>
// <payload-dir> holds *.json files named by kind: slack-blocks-*, slack-modal-*, slack-home-*, teams-card-*.
//  - Slack: tsc --strict over the payloads typed as @slack/types KnownBlock[] / ModalView / HomeView (blocks as KnownBlock[]).
//  - Teams: every Adaptive Card parsed by the adaptivecards SDK at 1.5 (no parse events) and validateProperties() clean.
//  - The Teams manifest against the JSON schema of its manifestVersion shipped in @microsoft/app-manifest.
// Prints one line per problem ("<file>: <problem>") and a summary; exits 1 when there is any problem.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, "package.json"));
const [dir, manifestPath] = process.argv.slice(2);
const problems = [];
const files = fs.readdirSync(dir).filter(f => f.endsWith(".json")).sort();

// ---- Slack: tsc --strict ----
const slackTypes = path.join(here, "node_modules/@slack/types/dist/index.js");
const slack = files.filter(f => f.startsWith("slack-"));
// Views type their blocks as (KnownBlock | Block)[], and Block accepts anything with a type: we hold them to KnownBlock.
const lines = [
  `import type { KnownBlock, ModalView, HomeView } from ${JSON.stringify(slackTypes)};`,
  "type Modal = Omit<ModalView, 'blocks'> & { blocks: KnownBlock[] };",
  "type Home = Omit<HomeView, 'blocks'> & { blocks: KnownBlock[] };",
];
const owners = []; // [firstLine, lastLine, file]
slack.forEach((f, i) => {
  const type = f.startsWith("slack-blocks-") ? "KnownBlock[]" : f.startsWith("slack-modal-") ? "Modal" : "Home";
  const json = JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")), null, 1).split("\n");
  const first = lines.length + 1;
  lines.push(`export const p${i}: ${type} = ${json[0]}`, ...json.slice(1));
  lines[lines.length - 1] += ";";
  owners.push([first, lines.length, f]);
});
if (slack.length > 0) {
  const work = fs.mkdtempSync(path.join(dir, "tsc-"));
  fs.writeFileSync(path.join(work, "payloads.ts"), lines.join("\n"));
  fs.writeFileSync(path.join(work, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: true, types: [] },
    files: ["payloads.ts"],
  }));
  try {
    execFileSync(process.execPath, [path.join(here, "node_modules/typescript/bin/tsc"), "-p", work, "--pretty", "false"], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    const output = (e.stdout || "") + (e.stderr || "");
    for (const line of output.split("\n").filter(l => l.includes("error TS"))) {
      const m = /payloads\.ts\((\d+),\d+\): (.*)/.exec(line);
      const owner = m && owners.find(([a, b]) => +m[1] >= a && +m[1] <= b);
      problems.push(`${owner ? owner[2] : "slack"}: tsc ${m ? m[2] : line}`);
    }
    if (!output.includes("error TS")) problems.push(`slack: tsc failed: ${output || e.message}`);
  }
}

// ---- Teams: adaptivecards SDK ----
const cards = files.filter(f => f.startsWith("teams-card-"));
if (cards.length > 0) {
  // The SDK is written for browsers; jsdom gives it the DOM globals it touches while parsing.
  const { JSDOM } = require("jsdom");
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  globalThis.HTMLElement = dom.window.HTMLElement;
  const AC = require("adaptivecards/dist/adaptivecards.js");
  for (const f of cards) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    if (json.version !== "1.5") problems.push(`${f}: version ${json.version}, expected 1.5`);
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext(AC.Versions.v1_5);
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) problems.push(`${f}: parse: ${context.getEventAt(i).message}`);
    for (const event of card.validateProperties().validationEvents) problems.push(`${f}: validate: ${event.message}`);
  }
}

// ---- Teams manifest ----
if (manifestPath) {
  const { ManifestUtil } = require("@microsoft/app-manifest");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const schemaPath = path.join(here, `node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
  if (!fs.existsSync(schemaPath)) {
    problems.push(`manifest: no schema for manifestVersion ${manifest.manifestVersion} in @microsoft/app-manifest`);
  } else {
    const errors = await ManifestUtil.validateManifestAgainstSchema(manifest, JSON.parse(fs.readFileSync(schemaPath, "utf8")));
    for (const error of errors) problems.push(`manifest: ${error}`);
  }
}

for (const p of problems) console.log(p);
console.log(`checked ${slack.length} Slack payloads, ${cards.length} Adaptive Cards${manifestPath ? ", the Teams manifest" : ""}: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
