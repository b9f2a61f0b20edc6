// Renders Adaptive Cards with the official adaptivecards JS renderer in headless Chromium, the way a Teams chat shows
// them (Teams-like host config, markdown through markdown-it, a chat column 560 px wide). Used by CardRenderingTests.
//   node render.mjs <cards.json> [<out.png>]
// <cards.json> holds an array of cards (the parts of one message, shown one under the other). Prints one JSON line:
// { height, cards, buttons: [{ title, top, cut }], texts: [rendered text], errors: [...] }; with <out.png> also takes a screenshot.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const [cardsPath, outPath] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(`chromium not found at ${chromium} (apt-get install -y --no-install-recommends chromium; .ci/run does)`);
  process.exit(2);
}

// A light Teams-like host config: Segoe UI sizes, Teams' accent and attention colours, up to 6 actions in a row.
const hostConfig = {
  fontFamily: "'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif",
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: "#E1DFDD" },
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
  containerStyles: {
    default: { backgroundColor: "#FFFFFF", foregroundColors: {
      default: { default: "#242424", subtle: "#616161" }, accent: { default: "#5B5FC7", subtle: "#5B5FC7" },
      attention: { default: "#C4314B", subtle: "#C4314B" }, good: { default: "#237B4B", subtle: "#237B4B" },
      warning: { default: "#835C00", subtle: "#835C00" } } },
    emphasis: { backgroundColor: "#F5F5F5", foregroundColors: { default: { default: "#242424", subtle: "#616161" } } },
  },
  actions: { maxActions: 6, spacing: "default", buttonSpacing: 8, showCard: { actionMode: "inline", inlineTopMargin: 8 },
    actionsOrientation: "horizontal", actionAlignment: "left" },
  factSet: { title: { weight: "bolder", wrap: true, maxWidth: 150 }, value: { wrap: true }, spacing: 8 },
  supportsInteractivity: true,
};

const lib = p => "file://" + path.join(here, "node_modules", p);
const cards = JSON.parse(fs.readFileSync(cardsPath, "utf8"));
const page = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="${lib("adaptivecards/dist/adaptivecards.css")}">
<style>
  body { margin: 0; padding: 16px; background: #F0F0F0; font-family: ${hostConfig.fontFamily}; width: 592px; }
  .message { background: #FFFFFF; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.14); margin-bottom: 12px; overflow: hidden; }
  .ac-pushButton { background: #FFFFFF; border: 1px solid #D1D1D1; border-radius: 4px; padding: 5px 12px; font: 600 14px ${hostConfig.fontFamily}; color: #242424; }
  .ac-pushButton.style-positive { background: #5B5FC7; border-color: #5B5FC7; color: #FFFFFF; }
  .ac-pushButton.style-destructive { background: #FFFFFF; border-color: #D1D1D1; color: #C4314B; }
  .ac-textBlock p { margin: 0; }
  /* The SDK draws Action.ShowCard's chevron with Fabric's icon font, which a Debian host does not have. */
  .ac-pushButton.expandable:after { font-family: inherit; font-size: 12px; margin-left: 4px; content: "\\25BE"; }
  .ac-pushButton.expandable.expanded:after { content: "\\25B4"; }
  .ac-input { font: 14px ${hostConfig.fontFamily}; }
</style>
<script src="${lib("adaptivecards/dist/adaptivecards.min.js")}"></script>
<script src="${lib("markdown-it/dist/browser/markdown-it.umd.min.js")}"></script>
</head><body><pre id="summary" style="display:none"></pre><script>
  const errors = [];
  const md = window.markdownit({ linkify: false, breaks: true });
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = md.render(text); result.didProcess = true; };
  const cards = ${JSON.stringify(cards)};
  for (const json of cards) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(${JSON.stringify(hostConfig)});
    const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
    const element = card.render();
    if (!element) { errors.push("the renderer returned nothing"); continue; }
    const box = document.createElement("div");
    box.className = "message";
    box.appendChild(element);
    document.body.appendChild(box);
  }
  const summary = {
    height: Math.ceil(document.body.getBoundingClientRect().height) + 32,
    cards: document.querySelectorAll(".message").length,
    // Where each button sits (px from the top of the page): whether the decision is on the first screen.
    // and whether the host cut its title short (the text is wider than the button: "Keep all unchanged, unfl…").
    buttons: [...document.querySelectorAll(".ac-pushButton")].map(b => {
      const title = b.querySelector("div") ?? b;
      return { title: b.textContent.trim(), top: Math.round(b.getBoundingClientRect().top), cut: title.scrollWidth > title.clientWidth };
    }),
    texts: [...document.querySelectorAll(".ac-textBlock")].map(t => t.textContent.trim()),
    errors,
  };
  document.getElementById("summary").textContent = JSON.stringify(summary);
</script></body></html>`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "compliancebot-render-"));
try {
  const html = path.join(work, "card.html");
  fs.writeFileSync(html, page);
  // Chromium refuses to run as root without --no-sandbox (CI runs as root); the profile stays in the temp folder.
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files",
    `--user-data-dir=${path.join(work, "profile")}`, "--font-render-hinting=none"];
  const dom = execFileSync(chromium, [...flags, "--dump-dom", "file://" + html], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  const match = /<pre id="summary"[^>]*>([\s\S]*?)<\/pre>/.exec(dom);
  if (!match || match[1].length === 0) {
    console.error("the page did not render (no summary in the DOM)");
    process.exit(1);
  }
  const decode = s => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  const summary = JSON.parse(decode(match[1]));
  if (outPath) {
    execFileSync(chromium, [...flags, `--window-size=624,${summary.height}`, `--screenshot=${path.resolve(outPath)}`, "file://" + html],
      { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  }
  console.log(JSON.stringify(summary));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
