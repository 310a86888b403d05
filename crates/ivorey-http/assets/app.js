// Ivorey web app: small enhancements only. Every page works without this file.
// - [⧉] copy buttons copy their data-copy value and say so;
// - menus (<details class="menu">) close on Escape, on an outside click, and when another opens;
// - forms with data-confirm ask before they post;
// - the Scopes page counts the boxes ticked in each area;
// - board cards can be dragged to another stage (below).
"use strict";

(function () {
  function announce(button, text) {
    var label = button.querySelector(".copy-text");
    if (!label) return;
    var before = label.getAttribute("data-label") || label.textContent;
    label.setAttribute("data-label", before);
    label.textContent = text;
    button.classList.add("copied");
    window.setTimeout(function () {
      label.textContent = before;
      button.classList.remove("copied");
    }, 2000);
    var live = document.getElementById("live");
    if (live) live.textContent = text;
  }

  function fallbackCopy(value) {
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function setUpCopy(button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-copy") || "";
      var done = function () { announce(button, "Copied"); };
      var failed = function () {
        if (fallbackCopy(value)) { done(); } else { announce(button, "Press Ctrl+C"); }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(done, failed);
      } else {
        failed();
      }
    });
  }

  function setUpMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) return;
        menus.forEach(function (other) { if (other !== menu) other.open = false; });
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
  }

  function setUpConfirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function setUpScopeCounts() {
    document.querySelectorAll("details.area").forEach(function (area) {
      var count = area.querySelector("[data-area-count]");
      if (!count) return;
      var update = function () {
        var n = area.querySelectorAll("input[type=checkbox]:checked").length;
        count.textContent = n > 0 ? n + " selected" : "None selected";
        area.classList.toggle("has-selection", n > 0);
      };
      area.addEventListener("change", update);
      update();
    });
  }

  function start() {
    var live = document.createElement("div");
    live.id = "live";
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    document.body.appendChild(live);
    document.querySelectorAll("button[data-copy]").forEach(setUpCopy);
    setUpMenus();
    setUpConfirms();
    setUpScopeCounts();
    var problems = document.getElementById("problems");
    if (problems) problems.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Team: a [Remove] link opens a confirmation page, which works without JavaScript; with it,
// the form beside the link (data-replaces) takes its place and its data-confirm dialog asks.
(function () {
  function enhance() {
    document.querySelectorAll("form[data-confirm][data-replaces]").forEach(function (form) {
      var link = document.getElementById(form.getAttribute("data-replaces"));
      if (!link) return;
      link.hidden = true;
      form.hidden = false;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();

// The Opportunities board: a card can be dragged onto another column. The drop sets the
// card's own stage select and submits its move form, so the server sees the same post as
// the keyboard path (select a stage, press Move).
(function () {
  function enhance() {
    var dragged = null;
    document.querySelectorAll(".board-card[data-card]").forEach(function (card) {
      card.setAttribute("draggable", "true");
      card.addEventListener("dragstart", function (e) {
        dragged = card;
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", card.getAttribute("data-card"));
      });
      card.addEventListener("dragend", function () { dragged = null; });
    });
    document.querySelectorAll(".board-column[data-stage]").forEach(function (column) {
      column.addEventListener("dragover", function (e) {
        if (!dragged) return;
        e.preventDefault();
        column.classList.add("drop-target");
      });
      column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
      column.addEventListener("drop", function (e) {
        column.classList.remove("drop-target");
        if (!dragged) return;
        e.preventDefault();
        var form = dragged.querySelector("form.board-move");
        var select = form && form.querySelector("select[name=stage]");
        var stage = column.getAttribute("data-stage");
        if (!select || select.value === stage) return;
        select.value = stage;
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
