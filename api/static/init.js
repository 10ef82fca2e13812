// Starts GOV.UK Frontend's components. Pages work without it: it only adds behaviour.
import { initAll } from "/assets/govuk-frontend.min.js";
initAll();
