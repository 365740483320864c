/* The site's search: the header's search box (partials/search.html) over Pagefind's index of
   the built site (`pagefind/`, written after the build). A query downloads only the index
   fragments it needs, so the first result does not wait for the whole index.

   The box opens as the theme's does: a click on it or on the magnifier, or the keys `/`, `s`
   and `f` anywhere outside a text field (on Zensical, whose search is a dialog, it is a dialog,
   and Ctrl+K opens it too); Escape closes it; arrow keys move through results; Enter follows
   the first one. Filters (severity, year, service, team, kind, status) and the
   sort come from each postmortem page's hidden facets (templates/site/search-facets.html.j2).
   Nothing here writes markup taken from the index: excerpts are rebuilt as text and <mark>. */
(function () {
  "use strict";

  var script = document.currentScript;
  var box = document.querySelector("[data-ft-search]");
  var toggle = document.getElementById("__search");
  if (!script || !box || !toggle) return;

  var base = new URL("../../", script.src); // the site's root: this file is assets/javascripts/
  var input = box.querySelector("[data-ft-search-query]");
  var form = input.form;
  var meta = box.querySelector("[data-ft-search-meta]");
  var list = box.querySelector("[data-ft-search-results]");
  var filterBar = box.querySelector("[data-ft-search-filters]");

  var dialog = box.classList.contains("ft-search--dialog"); // Zensical: a dialog of ours, not the theme's toggle
  var FILTERS = ["severity", "year", "service", "team", "kind", "status"];
  var PAGE = 10; // results rendered at a time: each one fetches its own small fragment
  var pagefind = null;
  var loading = null;
  var latest = 0; // the newest search: an older one finishing late is not shown

  function load() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
        pagefind = module;
        return pagefind.options({ baseUrl: base.pathname, excerptLength: 24 });
      }).then(function () {
        pagefind.init();
        // The filter lists load beside the first search, not before it.
        pagefind.filters().then(buildFilters).catch(function () {});
      }).catch(function () {
        loading = Promise.reject(new Error("no index"));
        loading.catch(function () {});
        setMeta("Search is not available on this copy of the site: it has no search index (see the site's guide, \"Search\").");
        throw new Error("no index");
      });
    }
    return loading;
  }

  function setMeta(text) {
    meta.textContent = text;
  }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function buildFilters(available) {
    filterBar.textContent = "";
    FILTERS.forEach(function (name) {
      var values = Object.keys((available && available[name]) || {});
      if (!values.length) return;
      values.sort();
      if (name === "year") values.reverse();
      var select = document.createElement("select");
      select.name = name;
      select.className = "ft-search__filter";
      select.setAttribute("aria-label", "Filter by " + name);
      select.appendChild(option("", "any " + name));
      values.forEach(function (v) {
        select.appendChild(option(v, v + " (" + available[name][v] + ")"));
      });
      filterBar.appendChild(select);
    });
    var sort = document.createElement("select");
    sort.name = "sort";
    sort.className = "ft-search__filter";
    sort.setAttribute("aria-label", "Sort results");
    sort.appendChild(option("", "best match"));
    sort.appendChild(option("desc", "newest first"));
    sort.appendChild(option("asc", "oldest first"));
    filterBar.appendChild(sort);
    filterBar.addEventListener("change", run);
  }

  function chosen() {
    var filters = {};
    var sort = null;
    Array.prototype.forEach.call(filterBar.querySelectorAll("select"), function (s) {
      if (!s.value) return;
      if (s.name === "sort") sort = { date: s.value };
      else filters[s.name] = s.value;
    });
    var options = { filters: filters };
    if (sort) options.sort = sort;
    return options;
  }

  function excerpt(html) {
    // Pagefind's excerpt is escaped text with <mark> around the matches: keep exactly that.
    var p = document.createElement("p");
    var parsed = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html").body;
    Array.prototype.forEach.call(parsed.childNodes, function (node) {
      if (node.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = node.textContent;
        p.appendChild(m);
      } else {
        p.appendChild(document.createTextNode(node.textContent));
      }
    });
    return p;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = data.url;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    article.appendChild(title);
    var m = data.meta || {};
    if (m.severity || m.date) {
      var line = document.createElement("p");
      line.className = "ft-search__facts";
      if (m.severity) {
        var badge = document.createElement("span");
        var rank = Math.min(parseInt(m.rank, 10) || 0, 5);
        badge.className = "ft-badge ft-rank-" + rank;
        badge.textContent = m.severity;
        line.appendChild(badge);
      }
      if (m.date) {
        var when = document.createElement("time");
        when.dateTime = m.date;
        when.textContent = m.date;
        line.appendChild(when);
      }
      article.appendChild(line);
    }
    article.appendChild(excerpt(data.excerpt || ""));
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }

  function render(results, from, ticket) {
    var upto = Math.min(results.length, from + PAGE);
    return Promise.all(results.slice(from, upto).map(function (r) { return r.data(); })).then(function (datas) {
      if (ticket !== latest) return; // a newer search has the list now
      if (from === 0) list.textContent = "";
      var more = list.querySelector(".ft-search__more");
      if (more) more.remove();
      datas.forEach(function (d) { list.appendChild(item(d)); });
      if (upto < results.length) {
        var li = document.createElement("li");
        li.className = "md-search-result__item ft-search__more";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "md-button";
        button.textContent = "Show " + Math.min(PAGE, results.length - upto) + " more of " + (results.length - upto);
        button.addEventListener("click", function () { render(results, upto, ticket); });
        li.appendChild(button);
        list.appendChild(li);
      }
    });
  }

  function run() {
    var ticket = ++latest;
    var term = input.value.trim();
    return load().then(function () {
      var options = chosen();
      var filtering = Object.keys(options.filters).length > 0;
      if (!term && !filtering) {
        list.textContent = "";
        setMeta("Type to start searching");
        return;
      }
      if (!term && !options.sort) options.sort = { date: "desc" };
      return pagefind.search(term || null, options).then(function (search) {
        if (ticket !== latest || !search) return;
        var results = search.results;
        return render(results, 0, ticket).then(function () {
          if (ticket !== latest) return;
          setMeta(results.length === 0 ? "No matching pages" : results.length === 1 ? "1 matching page" : results.length + " matching pages");
        });
      });
    }).catch(function () {});
  }

  function open() {
    if (dialog) {
      box.classList.add("ft-search--open");
    } else if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    if (document.activeElement !== input) input.focus();
    load().catch(function () {});
  }

  function close() {
    if (dialog) {
      box.classList.remove("ft-search--open");
    } else if (toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
    input.blur();
  }

  Array.prototype.forEach.call(box.querySelectorAll("[data-ft-search-open]"), function (el) { el.addEventListener("click", open); });
  Array.prototype.forEach.call(box.querySelectorAll("[data-ft-search-close]"), function (el) { el.addEventListener("click", close); });

  var TEXT_INPUTS = ["text", "search", "email", "number", "password", "tel", "url", "date", "time"];

  function editable(el) {
    // Where a typed `s` is text: not a checkbox or radio button (the palette toggle is one).
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT") return TEXT_INPUTS.indexOf((el.type || "text").toLowerCase()) >= 0;
    return el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT";
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a.md-search-result__link"));
  }

  // Pagefind's loader, its worker and WebAssembly (about 200 KB) are fetched once the page is idle,
  // so the first keystroke waits only for the index fragments of the word typed.
  function warm() {
    (window.requestIdleCallback || function (f) { return setTimeout(f, 200); })(function () {
      load().catch(function () {});
    }, { timeout: 3000 });
  }
  if (document.readyState === "complete") warm();
  else window.addEventListener("load", warm);

  input.addEventListener("focus", open);
  input.addEventListener("input", run);
  toggle.addEventListener("change", function () {
    // The header's magnifier (a label of the toggle) opens the box on small screens.
    if (toggle.checked && dialog) open();
    else if (toggle.checked && document.activeElement !== input) input.focus();
    if (toggle.checked) load().catch(function () {});
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = links()[0];
    if (first) first.click();
  });
  form.addEventListener("reset", function () {
    setTimeout(run, 0); // after the form has emptied the field
  });

  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key === "k" && dialog) {
      ev.preventDefault(); // the shortcut Zensical's search button shows
      open();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var inside = box.contains(document.activeElement);
    if (!inside) {
      if ((ev.key === "/" || ev.key === "s" || ev.key === "f") && !editable(document.activeElement)) {
        ev.preventDefault();
        open();
      }
      return;
    }
    if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      var all = links();
      if (!all.length) return;
      ev.preventDefault();
      var at = all.indexOf(document.activeElement);
      var next = ev.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
      if (next < 0) input.focus();
      else all[next].focus();
    }
  });
})();
