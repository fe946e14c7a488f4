// Compiles the stylesheet and copies the scripts and images the templates use into frontend/build/,
// which Django's staticfiles serves as /static/frontend/. Nothing here is committed.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(here, "build");
const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");
const moj = join(root, "node_modules/@ministryofjustice/frontend/moj");

// The packages' minified files end with a pointer to a source map that is not copied: strip it, so
// that no page or collectstatic run looks for a .map file (source maps stay out of production).
const withoutSourceMap = (text) => text.replace(/\n?(\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=\S+ \*\/)\s*$/, "\n");
const copyScript = (from, to) => writeFileSync(to, withoutSourceMap(readFileSync(from, "utf8")));

mkdirSync(out, { recursive: true });
const result = sass.compile(join(here, "app.scss"), {
  loadPaths: [root, join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), result.css);
copyScript(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
for (const file of ["init.js", "autosave.js", "favicon.svg", "favicon.ico"]) {
  cpSync(join(here, file), join(out, file));
}
cpSync(join(here, "js-enabled.js"), join(out, "js-enabled.js"));
cpSync(join(govuk, "assets/images"), join(out, "assets/images"), { recursive: true });
cpSync(join(govuk, "assets/manifest.json"), join(out, "assets/manifest.json"));
copyScript(join(moj, "moj-frontend.min.js"), join(out, "moj-frontend.min.js"));
// MoJ's precompiled CSS points at /assets/; here its images are served from /static/frontend/moj-assets/.
const mojCss = withoutSourceMap(readFileSync(join(moj, "moj-frontend.min.css"), "utf8")).replaceAll("url(/assets/", "url(/static/frontend/moj-assets/");
writeFileSync(join(out, "moj-frontend.min.css"), mojCss);
cpSync(join(moj, "assets"), join(out, "moj-assets"), { recursive: true });
console.log("front end built in frontend/build/");
