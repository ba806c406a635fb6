// The "protect your pictures" page: fingerprints (PDQ, vPDQ, MD5) are made here, on this device.
// Only the fingerprints are ever sent, and only when the page has a submit URL and the person says so.
/* global SxrPdq */
(function () {
  "use strict";

  var root = document.getElementById("protect");
  if (!root) { return; }
  var input = document.getElementById("protect-files");
  var startButton = document.getElementById("protect-start");
  var rateSelect = document.getElementById("protect-rate");
  var namesBox = document.getElementById("protect-names");
  var progress = document.getElementById("protect-progress");
  var status = document.getElementById("protect-status");
  var list = document.getElementById("protect-results");
  var sendArea = document.getElementById("protect-send-area");
  var sendButton = document.getElementById("protect-send");
  var notSent = document.getElementById("protect-not-sent");
  var MAX_FRAME_SIDE = 1024;

  var worker = null;
  var nextId = 1;
  var pending = {};
  var results = [];

  function getWorker() {
    if (worker) { return worker; }
    worker = new Worker("/static/js/hash-worker.js");
    worker.onmessage = function (event) {
      var reply = event.data;
      var waiting = pending[reply.id];
      if (!waiting) { return; }
      if (reply.kind === "progress") {
        if (waiting.onProgress) { waiting.onProgress(reply.done / Math.max(1, reply.total)); }
        return;
      }
      delete pending[reply.id];
      if (reply.kind === "error") { waiting.reject(new Error(reply.message)); } else { waiting.resolve(reply); }
    };
    return worker;
  }

  function ask(job, transfer, onProgress) {
    return new Promise(function (resolve, reject) {
      job.id = nextId++;
      pending[job.id] = { resolve: resolve, reject: reject, onProgress: onProgress };
      getWorker().postMessage(job, transfer || []);
    });
  }

  function waitFor(target, name) {
    return new Promise(function (resolve, reject) {
      function ok() { cleanup(); resolve(); }
      function fail() { cleanup(); reject(new Error("the video could not be read")); }
      function cleanup() {
        target.removeEventListener(name, ok);
        target.removeEventListener("error", fail);
      }
      target.addEventListener(name, ok);
      target.addEventListener("error", fail);
    });
  }

  function hashFrame(video, context, width, height) {
    context.drawImage(video, 0, 0, width, height);
    var pixels = context.getImageData(0, 0, width, height).data;
    return ask({ kind: "frame", rgba: pixels.buffer, width: width, height: height }, [pixels.buffer]);
  }

  // A <video> is moved to each moment in turn and the frame drawn onto a canvas to be hashed.
  async function hashVideo(file, perSecond, onProgress) {
    var url = URL.createObjectURL(file);
    var video = document.createElement("video");
    video.muted = true;
    video.preload = "auto";
    video.playsInline = true;
    var loaded = waitFor(video, "loadeddata");
    video.src = url;
    try {
      await loaded;
      if (!video.videoWidth || !video.videoHeight) { throw new Error("there is no picture in this video"); }
      var duration = isFinite(video.duration) ? video.duration : 0;
      var scale = Math.min(1, MAX_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
      var width = Math.max(1, Math.round(video.videoWidth * scale));
      var height = Math.max(1, Math.round(video.videoHeight * scale));
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      var frames = [];
      var step = 1 / perSecond;
      for (var i = 0; i === 0 || i * step < duration; i++) {
        var time = i * step;
        // Seek even to 0: right after "loadeddata" the first frame may not be painted yet, and a
        // canvas drawn from it would be blank. Setting currentTime always runs a seek.
        var seeked = waitFor(video, "seeked");
        video.currentTime = time;
        await seeked;
        var reply = await hashFrame(video, context, width, height);
        if (reply.pdq.quality === 0) {
          await new Promise(function (resolve) { setTimeout(resolve, 100); });
          reply = await hashFrame(video, context, width, height);  // a late frame: draw it once more
        }
        frames.push({
          frame: i,
          timestamp: Math.round(video.currentTime * 1000) / 1000,
          hash: reply.pdq.hash,
          quality: reply.pdq.quality,
        });
        onProgress(duration > 0 ? Math.min(1, time / duration) : 1);
      }
      return frames;
    } finally {
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(url);
    }
  }

  function kindOf(file) {
    if (file.type.indexOf("image/") === 0) { return "image"; }
    if (file.type.indexOf("video/") === 0) { return "video"; }
    if (/\.(jpe?g|png|gif|webp|bmp|avif)$/i.test(file.name)) { return "image"; }
    if (/\.(mp4|m4v|mov|webm|mkv|ogv)$/i.test(file.name)) { return "video"; }
    return "other";
  }

  function addRow(text) {
    var item = document.createElement("li");
    item.textContent = text;
    list.appendChild(item);
    return item;
  }

  function setStatus(text) { status.textContent = text; }

  async function hashAll(files) {
    results = [];
    list.textContent = "";
    sendArea.hidden = true;
    notSent.hidden = true;
    startButton.disabled = true;
    input.disabled = true;
    var perSecond = Number(rateSelect.value) || 5;
    progress.hidden = false;
    progress.value = 0;
    for (var n = 0; n < files.length; n++) {
      var file = files[n];
      var kind = kindOf(file);
      var label = (kind === "video" ? "Video " : kind === "image" ? "Picture " : "File ") + (n + 1);
      var row = addRow(label + ": working on it…");
      row.setAttribute("data-kind", kind);
      setStatus("Making fingerprint " + (n + 1) + " of " + files.length + ". Your files stay on this device.");
      var base = n / files.length;
      var part = function (fraction) { progress.value = Math.round(100 * (base + fraction / files.length)); };
      try {
        if (kind === "image") {
          var image = await ask({ kind: "image", file: file }, [], function (f) { part(f * 0.5); });
          row.setAttribute("data-pdq", image.pdq.hash);
          row.setAttribute("data-quality", String(image.pdq.quality));
          row.setAttribute("data-md5", image.md5);
          // A very plain picture's PDQ would match other plain pictures: the server refuses it, so only
          // its exact code (MD5) is sent.
          if (image.pdq.quality >= SxrPdq.QUALITY_THRESHOLD) {
            results.push({ type: "pdq", value: image.pdq.hash, quality: image.pdq.quality, name: file.name,
                           row: row, label: label });
          }
          if (image.upright && image.upright.hash !== image.pdq.hash &&
              image.upright.quality >= SxrPdq.QUALITY_THRESHOLD) {
            // A turned phone photo: also the picture as it is shown, so copies saved upright match too.
            row.setAttribute("data-pdq-upright", image.upright.hash);
            results.push({ type: "pdq", value: image.upright.hash, quality: image.upright.quality, name: file.name,
                           row: row, label: label });
          }
          results.push({ type: "md5", value: image.md5, quality: null, name: file.name, row: row, label: label });
          row.textContent = label + " (" + file.name + "): done." +
            (image.pdq.quality < SxrPdq.QUALITY_THRESHOLD
              ? " This picture is very plain, so its fingerprint may not find copies."
              : "");
        } else if (kind === "video") {
          var md5 = await ask({ kind: "md5", file: file }, [], function (f) { part(f * 0.2); });
          var frames = await hashVideo(file, perSecond, function (f) { part(0.2 + f * 0.8); });
          row.setAttribute("data-md5", md5.md5);
          row.setAttribute("data-frames", String(frames.length));
          results.push({ type: "md5", value: md5.md5, quality: null, name: file.name, row: row, label: label });
          results.push({ type: "vpdq", frames: frames, quality: null, name: file.name, row: row, label: label });
          row.textContent = label + " (" + file.name + "): done, " + frames.length + " moments fingerprinted.";
        } else {
          row.setAttribute("data-error", "not-media");
          row.textContent = label + " (" + file.name + "): this is not a picture or a video, so it was left out.";
        }
      } catch (error) {
        row.setAttribute("data-error", String(error.message || error));
        row.textContent = label + " (" + file.name + "): sorry, we could not read this one. It was left out.";
      }
      part(1);
    }
    progress.value = 100;
    startButton.disabled = false;
    input.disabled = false;
    var submitUrl = root.getAttribute("data-submit-url");
    if (results.length === 0) {
      setStatus("No fingerprints were made. You can choose other files.");
    } else if (submitUrl) {
      setStatus("Your fingerprints are ready. Nothing has been sent yet.");
      sendArea.hidden = false;
    } else {
      setStatus("Your fingerprints are ready.");
      notSent.hidden = false;
    }
    root.setAttribute("data-state", "hashed");
  }

  function payload() {
    var withNames = namesBox.checked;
    return {
      hashes: results.map(function (r) {
        var entry = { type: r.type, quality: r.quality, name_hint: withNames ? r.name : null };
        if (r.type === "vpdq") { entry.frames = r.frames; } else { entry.value = r.value; }
        return entry;
      }),
    };
  }

  // Each picture is judged on its own: the server names the fingerprints it skipped (a very plain
  // picture), and the row of that picture says so in words. Returns how many were skipped.
  function markSkipped(skipped) {
    if (!Array.isArray(skipped)) { return 0; }
    skipped.forEach(function (item) {
      var result = results[item && item.index];
      if (!result || !result.row || typeof item.reason !== "string") { return; }
      result.row.setAttribute("data-skipped", "1");
      result.row.textContent = result.label + " (" + result.name + "): " + item.reason;
    });
    return skipped.length;
  }

  async function send() {
    var submitUrl = root.getAttribute("data-submit-url");
    if (!submitUrl || results.length === 0) { return; }
    sendButton.disabled = true;
    setStatus("Sending the fingerprints…");
    try {
      var response = await fetch(submitUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload()),
        credentials: "same-origin",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
      if (response.status === 403 || response.status === 422) {
        // The server says why in words (for example the report has as many codes as it can take).
        var refusal = await response.json().catch(function () { return {}; });
        markSkipped(refusal.skipped);
        if (typeof refusal.detail === "string") {
          setStatus(refusal.detail);
          sendButton.disabled = false;
          return;
        }
      }
      if (!response.ok) { throw new Error("status " + response.status); }
      var answer = await response.json().catch(function () { return {}; });
      var skipped = markSkipped(answer.skipped);
      setStatus(skipped
        ? "Sent, except what the list says was skipped. Your pictures and videos never left this device."
        : "Sent. Thank you. Your pictures and videos never left this device.");
      root.setAttribute("data-state", "sent");
      sendArea.hidden = true;
    } catch (error) {
      setStatus("Sorry, the fingerprints could not be sent. Please try again in a moment.");
      sendButton.disabled = false;
    }
  }

  startButton.addEventListener("click", function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length === 0) { setStatus("Please choose at least one picture or video first."); return; }
    hashAll(files);
  });
  sendButton.addEventListener("click", send);
  root.setAttribute("data-ready", "yes");
})();
