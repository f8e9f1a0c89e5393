// The roll call in a hall with no signal (issue 12): progressive enhancement, plain JavaScript.
// With JavaScript on, taps, "Semua hadir", "Yang hadir" and "Tandai terlaksana" are applied on screen at once and
// queued in IndexedDB (they survive a reload, a closed tab, a restarted phone), then sent in order when there is
// a signal, each with an id made here so a resend changes nothing. A change the server refuses (month locked,
// meeting cancelled, mark corrected meanwhile) stays on its row with both values until the pendamping chooses.
// With JavaScript off the same forms post as plain HTML forms.
(function () {
  "use strict";
  var DB_NAME = "p2k2-offline";
  var STORE = "changes";
  var PAGES = "p2k2-pages";
  var CYCLE = ["hadir", "izin", "sakit", "alpa"];
  var RETRY_MS = 5000;
  var PRECACHE_EVERY_MS = 10 * 60 * 1000;
  var sending = false;
  var waitingCount = 0;
  var retryTimer = null;

  if (!window.indexedDB || !window.fetch || !window.Promise) { return; }

  function nextStatus(s) { var i = CYCLE.indexOf(s); return i < 0 ? "hadir" : CYCLE[(i + 1) % CYCLE.length]; }
  function uid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function english() { return document.documentElement.lang === "en"; }
  function say(id, en) { return english() ? en : id; }

  // --- IndexedDB: one store of changes, in the order they were made ---
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = function () {
          open.result.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true});
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function withStore(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode);
        var result;
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        work(t.objectStore(STORE), function (value) { result = value; });
      });
    });
  }
  function changesAll() {
    return withStore("readonly", function (store, done) {
      var req = store.getAll();
      req.onsuccess = function () { done(req.result || []); };
    });
  }
  function changePut(change) {
    return withStore("readwrite", function (store, done) {
      var req = store.put(change);
      req.onsuccess = function () { change.seq = req.result; done(change); };
    });
  }
  function changeDelete(seq) { return withStore("readwrite", function (store) { store.delete(seq); }); }

  // --- the page ---
  function roll() { return document.querySelector("#roll[data-offline]"); }
  function texts() {
    var r = roll();
    try { return JSON.parse((r && r.getAttribute("data-texts")) || "{}"); } catch (e) { return {}; }
  }
  function label(status) {
    var t = texts();
    return (t.labels && t.labels[status || ""]) || status || say("belum diisi", "not marked");
  }
  function token() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function rowOf(family) { return document.getElementById("kpm-" + family); }
  function localStatus(li) { return li.hasAttribute("data-local") ? li.getAttribute("data-local") : li.getAttribute("data-status"); }

  function paint(li, status, pending) {
    var keep = li.classList.contains("conflict") ? " conflict" : "";
    li.className = "roll-row " + (status || "kosong") + (pending ? " pending" : "") + keep;
    var button = li.querySelector("button.tap");
    var statusText = li.querySelector("button.tap .status");
    var name = li.querySelector("button.tap .name");
    if (statusText) { statusText.textContent = label(status); }
    if (button && name) { button.setAttribute("aria-label", name.textContent.trim() + ": " + label(status)); }
    var next = li.querySelector("form.tap-form input[name=status]");
    if (next) { next.value = nextStatus(status); }
    var note = li.querySelector("small.saved, small.error[role=alert]");
    if (note && pending) { note.remove(); }
  }

  function countsRefresh() {
    var counts = document.getElementById("roll-counts");
    if (!counts) { return; }
    var tally = {hadir: 0, izin: 0, sakit: 0, alpa: 0};
    document.querySelectorAll("#roll li.roll-row").forEach(function (li) {
      var s = localStatus(li);
      if (tally[s] !== undefined) { tally[s] += 1; }
    });
    counts.querySelectorAll(".badge").forEach(function (badge) {
      CYCLE.forEach(function (s) {
        if (badge.classList.contains(s)) { badge.textContent = label(s) + " " + tally[s]; }
      });
    });
  }

  function bar(count) {
    var box = document.getElementById("offline-bar");
    if (!box) { return; }
    var state = box.querySelector(".offline-state");
    var counter = box.querySelector(".offline-count");
    var offline = !navigator.onLine;
    box.hidden = !offline && count === 0;
    box.classList.toggle("is-offline", offline);
    if (state) { state.textContent = offline ? state.getAttribute("data-offline") : state.getAttribute("data-online"); }
    if (counter) { counter.textContent = count ? "· " + count + " " + counter.getAttribute("data-label") : ""; }
  }

  function refreshCounter() {
    return changesAll().then(function (changes) {
      waitingCount = changes.length;
      bar(waitingCount);
      return changes;
    });
  }

  // --- applying queued changes to the screen (after a tap, and again after a reload) ---
  function applyChange(change) {
    var r = roll();
    if (!r || String(change.meeting) !== r.getAttribute("data-meeting")) { return; }
    if (change.kind === "tap") {
      var li = rowOf(change.family);
      if (li && change.state === "conflict") {
        // The button shows what the server holds; the phone's value waits beside it until the pendamping chooses.
        li.setAttribute("data-status", change.server || "");
        li.removeAttribute("data-local");
        paint(li, change.server, false);
      } else if (li) { li.setAttribute("data-local", change.status); paint(li, change.status, true); }
    } else if (change.kind === "all") {
      // As the server does: only KPM without a mark become hadir; izin, sakit and alpa stay.
      r.querySelectorAll("li.roll-row").forEach(function (row) {
        if (localStatus(row)) { return; }
        row.setAttribute("data-local", "hadir");
        paint(row, "hadir", true);
      });
    } else if (change.kind === "attendee") {
      var who = rowOf(change.family);
      var summary = who && who.querySelector("details.attendee summary small");
      if (summary) {
        summary.textContent = (texts().who || "Yang hadir") + ": " + (change.attendee === "pengurus"
          ? (texts().pengurus || "pengurus")
          : (texts().other || "anggota lain") + (change.attendee_name ? ": " + change.attendee_name : ""));
      }
      if (who) { who.classList.add("pending"); }
    } else if (change.kind === "held") {
      var badge = document.getElementById("meeting-status");
      if (badge) { badge.className = "badge terlaksana pending"; badge.textContent = texts().held || "Terlaksana"; }
      var form = document.getElementById("mark-held-form");
      if (form) { form.hidden = true; }
    } else if (change.kind === "photo") {
      var list = document.querySelector("#photos ul.photos");
      if (list && !list.querySelector("li[data-seq='" + change.seq + "']")) {
        var none = list.querySelector("li.none");
        if (none) { none.remove(); }
        var item = document.createElement("li");
        item.className = "pending";
        item.setAttribute("data-seq", String(change.seq));
        var img = document.createElement("img");
        img.alt = texts().photo || "Foto";
        img.src = URL.createObjectURL(change.blob);
        item.appendChild(img);
        list.appendChild(item);
      }
    }
    if (change.state === "conflict") { conflictShow(change); }
  }

  function conflictShow(change) {
    var t = texts();
    var li = change.family ? rowOf(change.family) : null;
    var host = li || (change.kind === "photo" ? document.getElementById("photos") : null) || roll();
    if (!host) { return; }
    var old = host.querySelector(":scope > .conflict-box[data-seq='" + change.seq + "']");
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.className = "conflict-box";
    box.setAttribute("role", "alert");
    box.setAttribute("data-seq", String(change.seq));
    var message = document.createElement("small");
    message.className = "error";
    message.textContent = change.message || t.refused || "Ditolak server.";
    box.appendChild(message);
    var mine = change.kind === "tap" ? label(change.status) : (change.kind === "held" ? t.held : change.kind === "all" ? t.all : t.who);
    if (change.kind === "tap") {
      var both = document.createElement("p");
      both.className = "both";
      both.textContent = (t.server || "Di server") + ": " + label(change.server) + " · " + (t.phone || "Di ponsel") + ": " + mine;
      box.appendChild(both);
    }
    var actions = document.createElement("div");
    actions.className = "actions";
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "keep-mine";
    keepMine.textContent = (t.keep_mine || "Kirim ulang punya saya") + (change.kind === "tap" ? " (" + mine + ")" : "");
    keepMine.addEventListener("click", function () { conflictResolve(change, true); });
    var keepServer = document.createElement("button");
    keepServer.type = "button";
    keepServer.className = "keep-server secondary";
    keepServer.textContent = (t.keep_server || "Pakai yang di server") + (change.kind === "tap" ? " (" + label(change.server) + ")" : "");
    keepServer.addEventListener("click", function () { conflictResolve(change, false); });
    actions.appendChild(keepMine);
    actions.appendChild(keepServer);
    box.appendChild(actions);
    host.appendChild(box);
    if (li) { li.classList.add("conflict"); }
  }

  function conflictResolve(change, mine) {
    var li = change.family ? rowOf(change.family) : null;
    var box = document.querySelector(".conflict-box[data-seq='" + change.seq + "']");
    if (box) { box.remove(); }
    if (li) { li.classList.remove("conflict"); }
    var done;
    if (mine) {
      change.state = "waiting";
      change.client_id = uid();
      if (change.kind === "tap") { change.base = change.server || ""; }
      delete change.message;
      done = changePut(change);
    } else {
      done = changeDelete(change.seq).then(function () {
        if (li && change.kind === "tap") {
          li.setAttribute("data-status", change.server || "");
          li.removeAttribute("data-local");
          return changesAll().then(function (changes) {
            changes.forEach(function (c) { if (c.family === change.family) { applyChange(c); } });
            paint(li, localStatus(li), li.hasAttribute("data-local"));
          });
        }
        if (change.kind === "held" || change.kind === "all") { window.location.reload(); }
      });
    }
    done.then(function () { countsRefresh(); return refreshCounter(); }).then(pump);
  }

  var inFlight = null;  // seq of the change being sent: never folded into
  var queueing = Promise.resolve();  // changes are stored one after the other, in the order they were made

  function enqueue(change) {
    queueing = queueing.then(function () { return store(change); }, function () { return store(change); });
    return queueing;
  }

  function store(change) {
    change.meeting = Number(roll().getAttribute("data-meeting"));
    change.client_id = uid();
    change.state = "waiting";
    change.token = token();
    change.at = new Date().toISOString();
    return changesAll().then(function (changes) {
      // Taps on a row whose last queued tap has not left yet fold into it: one request, the same base. Not while
      // the queue is being sent: the sender may hold the old copy, and a fold written after it is sent would come
      // back with a stale base (a false conflict); the tap then goes as its own change, based on the row it saw.
      if (change.kind === "tap" && !sending) {
        var last = changes.filter(function (c) { return c.family === change.family && c.meeting === change.meeting; }).pop();
        if (last && last.kind === "tap" && last.state === "waiting" && last.seq !== inFlight &&
            changes[changes.length - 1] === last) {
          last.status = change.status;
          last.client_id = change.client_id;
          return changePut(last);
        }
      }
      return changePut(change);
    }).then(function (stored) { applyChange(stored); countsRefresh(); return refreshCounter(); })
      .then(function () { pump(); });  // not awaited: the next change is stored while this one is sent
  }

  // --- sending, in order ---
  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }

  function post(change) {
    var body = new URLSearchParams();  // the CSRF token goes in the header only: every byte counts on 3G
    var headers = {"X-CSRF-Token": change.token || token()};
    if (change.kind === "tap") {
      body.append("status", change.status);
      body.append("base", change.base || "kosong");
      body.append("client_id", change.client_id);
      headers["HX-Request"] = "true";
      headers["HX-Target"] = "kpm-" + change.family;
    } else if (change.kind === "attendee") {
      body.append("attendee", change.attendee);
      body.append("attendee_name", change.attendee_name || "");
      body.append("client_id", change.client_id);
      headers["HX-Request"] = "true";
      headers["HX-Target"] = "kpm-" + change.family;
    } else if (change.kind === "all") {
      headers["HX-Request"] = "true";
      headers["HX-Target"] = "roll";
    } else if (change.kind === "photo") {
      var parts = new FormData();
      parts.append("csrf_token", change.token || token());
      parts.append("client_id", change.client_id);
      parts.append("taken_at", change.taken_at || "");
      parts.append("photo", change.blob, "foto.jpg");
      return fetch(change.url, {method: "POST", body: parts, headers: headers, credentials: "same-origin"});
    }
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    // No Referer: the server does not read it, and a tap on 3G should carry as few bytes as it can.
    return fetch(change.url, {method: "POST", body: body.toString(), headers: headers, credentials: "same-origin",
                              referrerPolicy: "no-referrer"});
  }

  function serverRows(doc) {
    var rows = {};
    doc.querySelectorAll("li.roll-row[data-family]").forEach(function (li) {
      rows[li.getAttribute("data-family")] = li.getAttribute("data-status") || "";
    });
    return rows;
  }

  var fresh = {};  // rows as the server last answered them, shown once nothing more waits for them

  function settled(change, doc) {
    var rows = serverRows(doc);
    var here = roll() && String(change.meeting) === roll().getAttribute("data-meeting");
    Object.keys(rows).forEach(function (family) {
      var li = rowOf(family);
      if (li && here) {
        li.setAttribute("data-status", rows[family]);
        fresh[family] = doc.querySelector("li.roll-row[data-family='" + family + "']");
      }
    });
    if (change.kind === "held") {
      var badge = document.getElementById("meeting-status");
      if (badge) { badge.classList.remove("pending"); }
    }
    var notice = change.kind === "all" && here ? doc.getElementById("all-present-notice") : null;
    if (notice) {  // what was marked and what was left as it was, as the server says it
      var shown = document.getElementById("all-present-notice");
      if (shown) { shown.replaceWith(document.importNode(notice, true)); }
      else if (roll()) { roll().parentNode.insertBefore(document.importNode(notice, true), roll()); }
    }
    if (change.kind === "photo") {
      var item = document.querySelector("#photos li[data-seq='" + change.seq + "']");
      if (item) { item.classList.remove("pending"); }
    }
  }

  function afterSend(sent) {
    return changesAll().then(function (changes) {
      var r = roll();
      if (r) {
        var meeting = Number(r.getAttribute("data-meeting"));
        r.querySelectorAll("li.roll-row").forEach(function (li) {
          var mine = changes.filter(function (c) { return c.meeting === meeting && (c.family === li.getAttribute("data-family") || c.kind === "all"); });
          if (!mine.length) {
            var family = li.getAttribute("data-family");
            if (fresh[family]) {
              li.replaceWith(document.importNode(fresh[family], true));
              delete fresh[family];
            } else if (li.hasAttribute("data-local")) {
              li.removeAttribute("data-local");
              paint(li, li.getAttribute("data-status"), false);
            }
          }
        });
        countsRefresh();
        if (sent && !changes.length) { keepThisPage(); }
      }
      waitingCount = changes.length;
      bar(waitingCount);
    });
  }

  function retryLater(wait) {
    if (retryTimer) { return; }
    // A busy server says when to come back (Retry-After); the phones of a kabupaten spread over a second.
    retryTimer = setTimeout(function () { retryTimer = null; pump(); }, (wait || RETRY_MS) + Math.random() * 1000);
  }

  function pump() {
    if (sending) { return Promise.resolve(); }
    if (!navigator.onLine) { bar(waitingCount); return Promise.resolve(); }
    sending = true;
    var blocked = {};
    var sent = 0;
    function step() {
      return changesAll().then(function (changes) {
        var change = changes.find(function (c) {
          var lane = c.meeting + ":" + (c.family || (c.kind === "photo" ? "photo" : "*"));
          if (c.state === "conflict") { blocked[lane] = true; return false; }
          return !blocked[lane] && !blocked[c.meeting + ":*"];
        });
        if (!change) { return null; }
        inFlight = change.seq;
        return post(change).then(function (response) {
          inFlight = null;
          if (response.redirected && response.url.indexOf("/masuk") >= 0) { throw new Error("login"); }
          if (response.status === 204 && response.headers.get("HX-Redirect")) { throw new Error("login"); }
          return response.text().then(function (html) {
            var doc = parse(html);
            var heldOk = change.kind === "held" && doc.querySelector("#meeting-status.terlaksana");
            sent += 1;
            if (response.ok || heldOk) {
              settled(change, doc);
              return changeDelete(change.seq);
            }
            if (response.status === 422) {
              var li = doc.querySelector("li.roll-row[data-family='" + change.family + "']");
              var error = doc.querySelector("small.error[role=alert], .alert.error, #flash .error, #photo-error");
              change.state = "conflict";
              change.server = li ? (li.getAttribute("data-status") || "") : "";
              change.message = error ? error.textContent.trim() : "";
              return changePut(change).then(function () { applyChange(change); });
            }
            var failed = new Error("status " + response.status);
            failed.retryAfter = Number(response.headers.get("Retry-After")) * 1000 || 0;  // 503: server busy
            throw failed;
          });
        }).then(step);
      });
    }
    return step().then(function () {
      inFlight = null;
      sending = false;
      return afterSend(sent);
    }, function (error) {
      inFlight = null;
      sending = false;
      if (error && error.message === "login") {
        var flash = document.getElementById("flash");
        if (flash) {
          flash.innerHTML = '<p class="alert error" role="alert"></p>';
          flash.firstChild.textContent = say("Sesi berakhir: masuk lagi. Perubahan tetap tersimpan di ponsel.",
            "Signed out: sign in again. Your changes are kept on this phone.");
        }
      }
      bar(waitingCount);
      retryLater(error && error.retryAfter);
    });
  }

  // --- taking over the roll-call forms when JavaScript runs ---
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var r = roll();
    if (!r || !(form instanceof HTMLFormElement)) { return; }
    var kind = null;
    var li = form.closest("li.roll-row");
    if (form.classList.contains("tap-form") && li) { kind = "tap"; }
    else if (form.classList.contains("attendee-form") && li) { kind = "attendee"; }
    else if (r.contains(form) && /semua-hadir$/.test(form.getAttribute("action") || "")) { kind = "all"; }
    else if (form.id === "mark-held-form") { kind = "held"; }
    else if (form.id === "photo-form" && window.createImageBitmap) { kind = "photo"; }
    if (!kind) { return; }
    event.preventDefault();
    event.stopPropagation();
    var change = {kind: kind, url: form.getAttribute("action")};
    if (kind === "tap") {
      var current = localStatus(li);
      change.family = li.getAttribute("data-family");
      change.base = current || "";
      change.status = nextStatus(current);
      li.setAttribute("data-local", change.status);  // at once, so a quick second tap cycles on from here
      paint(li, change.status, true);
    } else if (kind === "attendee") {
      change.family = li.getAttribute("data-family");
      change.attendee = form.querySelector("[name=attendee]").value;
      change.attendee_name = form.querySelector("[name=attendee_name]").value;
      var details = form.closest("details");
      if (details) { details.open = false; }
    }
    if (kind === "photo") {
      var input = form.querySelector("input[type=file]");
      var file = input && input.files && input.files[0];
      if (!file) { return; }
      photoShrink(file).then(function (blob) {
        change.blob = blob;
        change.taken_at = new Date(file.lastModified || Date.now()).toISOString();
        form.reset();
        enqueue(change);
      }, function () {
        var flash = document.getElementById("flash");
        if (flash) {
          flash.innerHTML = '<p class="alert error" role="alert"></p>';
          flash.firstChild.textContent = say("Foto tidak dapat dibaca.", "The photo cannot be read.");
        }
      });
      return;
    }
    enqueue(change);
  }, true);

  // A phone photo is several MB: shrink it here (canvas → JPEG) to at most PHOTO_MAX bytes before it is queued.
  var PHOTO_MAX = 200 * 1000;
  function photoShrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      function attempt(scale, quality) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
          if (!blob) { throw new Error("encode"); }
          if (blob.size <= PHOTO_MAX) { return blob; }
          if (scale < 0.05) { throw new Error("too big"); }
          return quality > 0.55 ? attempt(scale, quality - 0.15) : attempt(scale * 0.7, 0.8);
        });
      }
      return attempt(Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height)), 0.85);
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (waitingCount > 0) { event.preventDefault(); event.returnValue = ""; return ""; }
  });
  window.addEventListener("online", function () { bar(waitingCount); pump(); });
  window.addEventListener("offline", function () { bar(waitingCount); });

  // --- keeping pages for no signal ---
  // This page is kept as the server last answered it, copied from the screen (no second download): right after
  // it loads, and again once everything queued was stored.
  function keepThisPage() {
    var r = roll();
    if (!r || !window.caches) { return; }
    var copy = document.documentElement.cloneNode(true);
    var copyRoll = copy.querySelector("#roll");
    if (copyRoll) { copyRoll.removeAttribute("data-ready"); }
    var copyBar = copy.querySelector("#offline-bar");
    if (copyBar) { copyBar.setAttribute("hidden", ""); }
    var copyFlash = copy.querySelector("#flash");
    if (copyFlash) { copyFlash.innerHTML = ""; }
    copy.querySelectorAll(".conflict-box, small.saved").forEach(function (el) { el.remove(); });
    var html = "<!DOCTYPE html>\n" + copy.outerHTML;
    var response = new Response(html, {headers: {"Content-Type": "text/html; charset=utf-8"}});
    caches.open(PAGES).then(function (cache) { return cache.put(r.getAttribute("data-offline"), response); })
      .catch(function () {});
  }

  function precache() {
    if (!navigator.onLine || !window.caches || !document.querySelector("form[action$='/keluar']")) { return; }
    var last = Number(localStorage.getItem("p2k2-precached") || 0);
    var r = roll();
    var here = r ? r.getAttribute("data-offline") : null;
    var jobs = [];
    if (Date.now() - last > PRECACHE_EVERY_MS) {
      jobs.push(fetch("/luring/pertemuan.json", {credentials: "same-origin"}).then(function (response) {
        return response.ok ? response.json() : {pages: []};
      }).then(function (data) {
        return caches.open(PAGES).then(function (cache) {
          var pages = (data.pages || []).filter(function (page) { return page !== here; });
          return Promise.all(pages.map(function (page) { return cache.add(page).catch(function () {}); }));
        });
      }).then(function () { localStorage.setItem("p2k2-precached", String(Date.now())); }));
    }
    Promise.all(jobs).catch(function () {});
  }

  function init() {
    var r = roll();
    if (r && !r.hasAttribute("data-ready")) {
      keepThisPage();
      r.setAttribute("data-ready", "1");
      changesAll().then(function (changes) {
        changes.forEach(applyChange);
        countsRefresh();
        return refreshCounter();
      }).then(pump);
    } else {
      refreshCounter().then(function () { if (waitingCount) { pump(); } });
    }
    precache();
  }

  document.addEventListener("submit", function (event) {
    // Signing out forgets the kept pages (the queue stays: nothing unsent is lost).
    var form = event.target;
    if (form instanceof HTMLFormElement && /\/keluar$/.test(form.getAttribute("action") || "") && window.caches) {
      caches.delete(PAGES);
      localStorage.removeItem("p2k2-precached");
    }
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  document.addEventListener("htmx:afterSettle", init);
})();
