// Starts YASGUI on the query page with the registry's endpoint and its stored queries as tabs.
// No remote service is used: prefix autocompletion offers the registry's own prefixes (an
// autocompleter "prefixes-local", forked from YASQE's "prefixes", which would use prefix.cc).
// The first tab opens with the registry's prefixes and a first query (data-first-query), and
// results show IRIs with the registry's prefixes (data-prefixes) in every tab.
(function () {
  var element = document.getElementById("yasgui");
  if (!element || !window.Yasgui) { return; }
  var prefixes = JSON.parse(element.dataset.prefixes || "{}");
  var Yasqe = window.Yasgui.Yasqe;
  if (Yasqe && !Yasqe.Autocompleters["prefixes-local"]) {
    Yasqe.forkAutocompleter("prefixes", {
      name: "prefixes-local",
      persistenceId: null,
      get: function () {
        return Promise.resolve(Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; }));
      }
    }, false);
  }
  var yasgui = new window.Yasgui(element, {
    requestConfig: { endpoint: element.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: element.dataset.endpoint }]; } },
    yasqe: { autocompleters: ["variables", "prefixes-local"], value: element.dataset.firstQuery },
    yasr: { prefixes: prefixes },
    persistencyExpire: 0
  });
  window.yasgui = yasgui;   // for people (and tests) who script the page
  // Each tab's results box scrolls sideways on a narrow screen (ldr.css): it can take the focus,
  // so that it can be scrolled from the keyboard, and says what it holds.
  function labelResults() {
    element.querySelectorAll(".yasr_results:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Query results");
    });
  }
  labelResults();
  new MutationObserver(labelResults).observe(element, { childList: true, subtree: true });
  fetch(element.dataset.queries, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      data.queries.forEach(function (q) {
        yasgui.addTab(false, { name: q.title, yasqe: { value: q.query } });
      });
    });
})();
