// Starts YASGUI on the query page with the registry's endpoint and its stored queries as tabs.
// No remote service is used: prefix autocompletion from prefix.cc is turned off.
(function () {
  var element = document.getElementById("yasgui");
  if (!element || !window.Yasgui) { return; }
  var yasgui = new window.Yasgui(element, {
    requestConfig: { endpoint: element.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: element.dataset.endpoint }]; } },
    yasqe: { autocompleters: ["variables", "prefixes-local"] },
    persistencyExpire: 0
  });
  window.yasgui = yasgui;   // for people (and tests) who script the page
  fetch(element.dataset.queries, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      data.queries.forEach(function (q) {
        yasgui.addTab(false, { name: q.title, yasqe: { value: q.query } });
      });
    });
})();
