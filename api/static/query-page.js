// Starts YASGUI on the query page with the registry's endpoint and its stored queries as tabs.
// No remote service is used: prefix autocompletion offers the registry's own prefixes (an
// autocompleter "prefixes-local", forked from YASQE's "prefixes", which would use prefix.cc).
// The first tab opens with the registry's prefixes and a first query (data-first-query), and
// results show IRIs with the registry's prefixes (data-prefixes) in every tab.
(function () {
  var element = document.getElementById("yasgui");
  if (!element || !window.Yasgui) { return; }
  var prefixes = JSON.parse(element.dataset.prefixes || "{}");
  // YASGUI takes the endpoint as an absolute URL: its error display parses it with new URL(),
  // which throws on a relative "/sparql", and then no error is shown at all.
  var endpoint = new URL(element.dataset.endpoint, window.location.href).href;
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
  // A query the endpoint refuses comes back as a problem document (RFC 9457): show its title
  // and detail in words, not the raw JSON. Anything else falls through to YASR's own display.
  function problemRenderer(error) {
    var problem;
    try { problem = JSON.parse(error && error.text); } catch (e) { return undefined; }
    if (!problem || typeof problem.title !== "string") { return undefined; }
    var box = document.createElement("div");
    box.className = "ldr-query-problem";
    box.setAttribute("role", "alert");
    var heading = document.createElement("h2");
    heading.className = "govuk-heading-s";
    heading.textContent = problem.title;
    box.appendChild(heading);
    if (typeof problem.detail === "string") {
      var detail = document.createElement("p");
      detail.className = "govuk-body";
      detail.textContent = problem.detail;
      box.appendChild(detail);
    }
    return box;
  }
  var Yasr = window.Yasgui.Yasr;
  if (Yasr) {
    Yasr.defaults.errorRenderers = [problemRenderer].concat(
      (Yasr.defaults.errorRenderers || []).filter(function (r) { return r !== problemRenderer; }));
  }
  // The endpoint answers at most LDR_QUERY_MAX_ROWS rows and says so in a header; YASR shows
  // only a count ("10000 results"), so the page says in words that there were more. The header is
  // read from the endpoint's own responses (YASQE asks with fetch).
  var truncated = null;
  var realFetch = window.fetch;
  window.fetch = function (input) {
    return realFetch.apply(this, arguments).then(function (response) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (url.indexOf(endpoint) === 0) { truncated = response.headers.get("ldr-results-truncated"); }
      return response;
    });
  };
  function sayIfCut(tab) {
    var yasr = tab.getYasr();
    var note = yasr.rootEl.querySelector(".ldr-results-cut");
    if (!truncated) { if (note) { note.remove(); } return; }
    if (!note) {
      note = document.createElement("p");
      note.className = "govuk-inset-text ldr-results-cut";
      note.setAttribute("role", "status");
      yasr.rootEl.insertBefore(note, yasr.rootEl.firstChild);
    }
    var shown = truncated.match(/first ([0-9]+)/);
    note.textContent = "There are more results than the page shows: only the first " +
      (shown ? Number(shown[1]).toLocaleString("en-GB") : "") +
      " are here. Add LIMIT and OFFSET to the query to page through the rest.";
  }
  var yasgui = new window.Yasgui(element, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { autocompleters: ["variables", "prefixes-local"], value: element.dataset.firstQuery },
    yasr: { prefixes: prefixes },
    persistencyExpire: 0
  });
  window.yasgui = yasgui;   // for people (and tests) who script the page
  yasgui.on("queryResponse", function (instance, tab) { sayIfCut(tab); });
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
