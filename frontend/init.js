import { initAll } from "./govuk-frontend.min.js";
import { initAllAutosaves } from "./autosave.js";

initAll();
initAllAutosaves();
