// rolebook's bootstrap, the one script a built site's pages list (assets/rolebook-offline.js), after
// Material's. It waits for the page's load event, so that nothing more of rolebook's delays the first
// paint or the load of a slow phone. Then, on a page with incident mode's markup (a role's checklists,
// the assignment board, the incident log), it adds incident mode's script, assets/rolebook.js; and it
// registers the site's service worker, sw.js at the site's root, which keeps the playbook for offline
// use, over http(s) where the browser offers service workers (https, or http on localhost). Both
// addresses are taken from this script's own, so the site works under any path. A built site's pages
// hold it written in (site/inline_assets.py); the file is the same script.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.URL) return;
  // Its own address: as a file, its src; written into a page (site/inline_assets.py), its data-rb-assets is
  // the address of the site's assets/ from the page. Read now: with instant navigation the page's address
  // changes.
  var assets = me.getAttribute("data-rb-assets");
  var here = me.src || (assets === null ? "" : new URL(assets + "rolebook-offline.js", location.href).href);
  if (!here) return;
  var INCIDENT = "ul.rb-checklist li.rb-check, table[data-rb-board], [data-rb-log], pre.rb-copy";
  var root = document.documentElement;
  var added = false;
  var registered = false;

  function register() {
    var worker = new URL("../sw.js", here);
    if (registered || !("serviceWorker" in navigator)) return;
    if (worker.protocol !== "https:" && worker.protocol !== "http:") return;
    registered = true;
    navigator.serviceWorker.register(worker.href).catch(function () {}); // the site works without it
  }

  // Incident mode's script, once, on the first page that needs it; the worker is registered after it,
  // so that the worker's downloads do not hold the checklists back.
  function incident() {
    if (added || !document.querySelector(INCIDENT)) return register();
    added = true;
    root.classList.add("rb-js"); // the parts for pages without JavaScript give way now, not later
    var script = document.createElement("script");
    script.src = new URL("rolebook.js", here).href;
    script.onload = register;
    script.onerror = function () {
      root.classList.remove("rb-js"); // not loaded: the pages stay static forms, as without JavaScript
      register();
    };
    document.head.appendChild(script);
  }

  function start() {
    // Material's document$ replays the page at once and, with instant navigation, each page opened after
    var pages = window.document$;
    if (pages && typeof pages.subscribe === "function") pages.subscribe(incident);
    else incident();
  }

  // just after the load event, not inside it: its handlers count towards the page's load
  function later() {
    setTimeout(start, 0);
  }
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later);
})();
