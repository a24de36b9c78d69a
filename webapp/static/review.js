// Keyboard shortcuts for the review pages: j/k move, a approve, r reject, x select, o open, ? help.
// Loaded from /static so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  var current = -1;

  function items() { return Array.prototype.slice.call(document.querySelectorAll("li.item")); }

  function focusItem(index) {
    var list = items();
    if (!list.length) { return; }
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (el) { el.classList.remove("current"); });
    list[index].classList.add("current");
    list[index].scrollIntoView({ block: "nearest" });
    current = index;
  }

  function currentItem() {
    var list = items();
    if (current < 0 && list.length) { focusItem(0); }
    return list[current] || null;
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (help) { help.hidden = !help.hidden; }
  }

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      var help = document.getElementById("help");
      if (help) { help.hidden = true; }
      if (typing(event.target)) { event.target.blur(); }
      return;
    }
    if (typing(event.target)) { return; }
    var item;
    switch (event.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current - 1); break;
      case "?": toggleHelp(); break;
      case "a":
        item = currentItem();
        var approve = item && item.querySelector("form.approve-form");
        if (approve) { approve.submit(); }
        break;
      case "r":
        item = currentItem();
        var form = item && item.querySelector("form.reject-form");
        if (!form) { break; }
        var reason = form.querySelector("select[name=reason]");
        if (reason && reason.value) { form.submit(); } else if (reason) { reason.focus(); }
        break;
      case "x":
        item = currentItem();
        var box = item && item.querySelector("input[type=checkbox][name=ids]");
        if (box) { box.checked = !box.checked; }
        break;
      case "o":
        item = currentItem();
        if (item && item.dataset.open) { window.location.href = item.dataset.open; }
        break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (items().length) { focusItem(0); }
    // Enter in a reject reason select submits its form.
    document.querySelectorAll("form.reject-form select[name=reason]").forEach(function (select) {
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && select.value) { event.preventDefault(); select.form.submit(); }
      });
    });
  });
})();
