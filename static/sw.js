// Service worker for the roll call in a hall with no signal (issue 12). Plain JavaScript, no framework.
// Static assets: served from the cache, refreshed in the background. Pages: from the network, the roll-call
// pages kept in the cache on the way, and served from it when there is no signal.
"use strict";
var VERSION = "p2k2-v1";
var STATIC = VERSION + "-static";
var PAGES = "p2k2-pages";
var ASSETS = [
  "/static/vendor/pico-2.1.1.jade.min.css",
  "/static/vendor/htmx-2.0.11.min.js",
  "/static/app.css",
  "/static/app.js",
  "/static/offline.js",
  "/static/share.js"
];
var ROLL_PAGE = /^\/pertemuan\/\d+$/;
var NETWORK_WAIT_MS = 6000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== STATIC && n !== PAGES; }).map(function (n) {
      return caches.delete(n);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (r) { clearTimeout(timer); resolve(r); }, function (e) { clearTimeout(timer); reject(e); });
  });
}

function offlinePage() {
  var body = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Offline</title><p style='font:1.1rem sans-serif;padding:1rem'>Tanpa sinyal. Halaman ini belum " +
    "tersimpan di ponsel. / No signal; this page is not kept on the phone.</p>";
  return new Response(body, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request, {ignoreSearch: true}).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        if (hit) { fresh.catch(function () {}); return hit; }
        return fresh;
      });
    }));
    return;
  }
  var htmx = request.headers.get("HX-Request") === "true";
  var boosted = request.headers.get("HX-Boosted") === "true";
  if (htmx && !boosted) { return; }  // fragments: never from the cache
  var keep = ROLL_PAGE.test(url.pathname) && !htmx;
  event.respondWith(withTimeout(fetch(request), NETWORK_WAIT_MS).then(function (response) {
    if (keep && response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(url.pathname, {ignoreVary: true, ignoreSearch: true});
    }).then(function (hit) { return hit || offlinePage(); });
  }));
});
