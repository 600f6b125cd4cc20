// Consentry admin: progressive enhancement only. Every action works without this file.
(function () {
  "use strict";
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  // Tick every row on the page; show how many are ticked.
  function updateCount() {
    var out = document.querySelector("[data-selected-count]");
    if (!out) return;
    var all = document.querySelector("[data-select-all]");
    var ticked = $$("input[name=id]:checked").length;
    out.textContent = all && all.checked ? "All " + document.querySelector("[data-total]").textContent + " selected"
      : ticked ? ticked + " selected" : "";
  }
  $$("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      $$("input[name=id]").forEach(function (row) { row.checked = box.checked; });
      updateCount();
    });
  });
  $$("input[name=id], [data-select-all]").forEach(function (box) { box.addEventListener("change", updateCount); });

  // Selects that apply at once.
  $$("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Bulk edit: offer only the types of the chosen channel.
  $$("[data-channel-filter]").forEach(function (select) {
    function show() {
      $$("[data-channel]", select.form).forEach(function (label) {
        var match = label.getAttribute("data-channel") === select.value;
        label.hidden = !match;
        if (!match) label.querySelector("input").checked = false;
      });
    }
    select.addEventListener("change", show);
    show();
  });

  // Filter table rows as one types.
  $$("[data-live-filter]").forEach(function (input) {
    var rows = $$(input.getAttribute("data-live-filter") + " tbody tr[data-filter-text]");
    input.addEventListener("input", function () {
      var needle = input.value.toLowerCase();
      rows.forEach(function (row) {
        row.hidden = needle && row.getAttribute("data-filter-text").indexOf(needle) < 0;
      });
    });
  });

  // Ask before destructive forms.
  $$("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // Panels and dialogs: focus inside, Escape closes.
  var layer = document.querySelector(".dialog") || document.querySelector(".panel");
  if (layer) {
    // A dialog focuses its first field; a panel itself, so Tab starts inside it.
    var first = layer.classList.contains("dialog") &&
      layer.querySelector("select, textarea, input:not([type=hidden])");
    (first || layer).focus();
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var close = layer.querySelector("[data-close]");
      if (close) window.location.href = close.getAttribute("href");
    });
  }

  // Drag rows to reorder; the order is posted with the same form the arrow buttons use.
  $$("tbody[data-reorder]").forEach(function (body) {
    var form = document.getElementById(body.getAttribute("data-reorder"));
    var dragged = null;
    $$("tr", body).forEach(function (row) {
      row.draggable = true;
      row.addEventListener("dragstart", function () { dragged = row; row.classList.add("dragging"); });
      row.addEventListener("dragend", function () { row.classList.remove("dragging"); });
      row.addEventListener("dragover", function (event) {
        event.preventDefault();
        if (!dragged || dragged === row) return;
        var after = event.offsetY > row.offsetHeight / 2;
        body.insertBefore(dragged, after ? row.nextSibling : row);
      });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        $$("input[name=order]", form).forEach(function (input) { input.remove(); });
        $$("tr[data-id]", body).forEach(function (r) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "order"; input.value = r.getAttribute("data-id");
          form.appendChild(input);
        });
        form.submit();
      });
    });
  });

  // Job progress: poll until the job is finished, then show its summary.
  $$("[data-job-url]").forEach(function (box) {
    var bar = box.querySelector(".progress > span");
    var label = box.querySelector("[data-job-label]");
    function poll() {
      fetch(box.getAttribute("data-job-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          var pct = job.total ? Math.round(100 * job.done / job.total) : 0;
          bar.style.width = pct + "%";
          label.textContent = job.done.toLocaleString() + " of " + (job.total || 0).toLocaleString() + " (" + pct + "%)";
          if (job.finished) window.location.reload();
          else window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
