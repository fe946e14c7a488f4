// Lighthouse's best-practices and SEO audits of pages of the service, in one headless Chromium.
//
//   CHROME_PATH=/usr/bin/chromium node scripts/lighthouse.mjs BASE_URL PATH... [--cookie "name=value"]
//
// Prints one JSON object: {"lighthouse": version, "pages": [{"path", "url", "status",
// "scores": {"best-practices": 0..1, "seo": 0..1}, "failed": [{"id", "title", "category",
// "score", "details"}]}]}, where "failed" lists every weighted audit that did not score 1.
// Performance is not audited: its scores depend on the machine's load; these do not.
// Used by scripts/lighthouse_audit.py (make lighthouse) and tests/browser/test_lighthouse.py.

import { createRequire } from "node:module";
import process from "node:process";

import lighthouse from "lighthouse";

// chrome-launcher is Lighthouse's own dependency: resolved from Lighthouse, at its version.
const requireFromLighthouse = createRequire(createRequire(import.meta.url).resolve("lighthouse"));
const chromeLauncher = requireFromLighthouse("chrome-launcher");

const CATEGORIES = ["best-practices", "seo"];
// As root on a machine with no route out: no sandbox, and nothing that phones home at start-up
// (the same flags as the browser tests' Chromium, tests/browser/conftest.py).
const CHROME_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

function parseArguments(argv) {
  const [base, ...rest] = argv;
  const paths = [];
  let cookie = null;
  for (let index = 0; index < rest.length; index += 1) {
    if (rest[index] === "--cookie") {
      cookie = rest[index + 1];
      index += 1;
    } else {
      paths.push(rest[index]);
    }
  }
  if (!base || paths.length === 0) {
    throw new Error("usage: node scripts/lighthouse.mjs BASE_URL PATH... [--cookie 'name=value']");
  }
  return { base, paths, cookie };
}

function failedAudits(lhr) {
  const failed = [];
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        const items = (audit.details && audit.details.items) || [];
        failed.push({
          id: audit.id,
          title: audit.title,
          category,
          score: audit.score,
          details: items.slice(0, 5).map((item) => JSON.stringify(item).slice(0, 300)),
        });
      }
    }
  }
  return failed;
}

async function main() {
  const { base, paths, cookie } = parseArguments(process.argv.slice(2));
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    chromeFlags: CHROME_FLAGS,
  });
  const pages = [];
  try {
    for (const path of paths) {
      const url = new URL(path, base).href;
      const result = await lighthouse(url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
        // Desktop, unthrottled: throttling only changes performance figures, not audited here.
        formFactor: "desktop",
        screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
        throttlingMethod: "provided",
        extraHeaders: cookie ? { Cookie: cookie } : undefined,
      });
      const lhr = result.lhr;
      if (lhr.runtimeError) {
        throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      }
      pages.push({
        path,
        url: lhr.finalDisplayedUrl,
        scores: Object.fromEntries(CATEGORIES.map((id) => [id, lhr.categories[id].score])),
        failed: failedAudits(lhr),
      });
    }
  } finally {
    await chrome.kill();
  }
  const { version } = requireFromLighthouse("lighthouse/package.json");
  process.stdout.write(`${JSON.stringify({ lighthouse: version, pages }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
