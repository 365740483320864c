/* Days overdue on postmortem pages, counted in the reader's browser. A postmortem's page holds
   only the due date of each open item (<time class="ft-due" datetime="YYYY-MM-DD">), so it stays
   the same from one day to the next; without JavaScript the date is still there to read. Due
   dates are calendar dates compared with today's UTC date, as on the generated pages. */
(function () {
  "use strict";
  var DAY = 86400000;

  function mark() {
    var today = Date.parse(new Date().toISOString().slice(0, 10));
    document.querySelectorAll("time.ft-due[datetime]").forEach(function (el) {
      if (el.hasAttribute("data-ft-counted")) return;
      el.setAttribute("data-ft-counted", "");
      var due = Date.parse(el.getAttribute("datetime"));
      var late = Math.round((today - due) / DAY);
      if (!(late > 0)) return;
      var note = document.createElement("strong");
      note.className = "ft-overdue";
      note.textContent = late + (late === 1 ? " day" : " days") + " overdue";
      el.after(document.createElement("br"), note);
    });
  }

  // mkdocs-material's instant navigation swaps pages without reloading scripts: run on each.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(mark);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
