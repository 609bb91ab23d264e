/* mentor_match: small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var main = document.getElementById("main");
    if (!main) { return; }
    // Tables written without the layout's wrapper still scroll inside their own box on a phone.
    main.querySelectorAll("table").forEach(function (table) {
      if (!table.classList.contains("table")) { table.classList.add("table", "table-sm"); }
      var parent = table.parentElement;
      if (parent && !parent.classList.contains("table-responsive")) {
        var box = document.createElement("div");
        box.className = "table-responsive";
        box.tabIndex = 0; // a box that scrolls must be reachable by keyboard
        parent.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    // Plain form controls take the same look as the rest of the pages.
    main.querySelectorAll("select:not(.form-select)").forEach(function (el) {
      el.classList.add("form-select");
    });
    main.querySelectorAll("textarea:not(.form-control), input:not([type]), input[type=text], input[type=email], input[type=password], input[type=search], input[type=number], input[type=date], input[type=time], input[type=url], input[type=file]").forEach(function (el) {
      if (!el.classList.contains("form-control")) { el.classList.add("form-control"); }
    });
  });
}());
