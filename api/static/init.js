// Starts GOV.UK Frontend's components. Pages work without it: it only adds behaviour.
import { initAll } from "/assets/govuk-frontend.min.js";
initAll();

// On a narrow screen a wide table scrolls sideways inside itself (ldr.css): one that does can
// take the keyboard focus, so that it can be scrolled with the arrow keys (WCAG 2.1.1).
function focusableWhenScrolling() {
  document.querySelectorAll("table.govuk-table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
}
focusableWhenScrolling();
window.addEventListener("resize", focusableWhenScrolling);
