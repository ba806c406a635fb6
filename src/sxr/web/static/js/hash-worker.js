// Hashes pictures and video frames away from the page's main thread, so the page stays responsive.
// Everything happens on this device: the worker makes no network requests.
/* global importScripts, SxrPdq, SxrMd5 */
importScripts("/static/js/pdq.js", "/static/js/md5.js");

var CHUNK = 4 * 1024 * 1024;

async function md5OfFile(file, id) {
  var md5 = new SxrMd5.Md5();
  for (var offset = 0; offset < file.size; offset += CHUNK) {
    var bytes = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
    md5.update(bytes);
    self.postMessage({ id: id, kind: "progress", done: Math.min(file.size, offset + CHUNK), total: file.size });
  }
  return md5.hex();
}

async function pixelsOfImage(file) {
  // No colour management and no premultiplied alpha: the same pixels Pillow decodes.
  var bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  try {
    // The same limit as the server's: a picture this large could exhaust the phone's memory.
    if (bitmap.width * bitmap.height > 178956970) { throw new Error("the picture is too large"); }
    var canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    return { rgba: context.getImageData(0, 0, bitmap.width, bitmap.height).data, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

// The EXIF orientation of a JPEG (1 when there is none): the browser always shows pictures upright.
async function jpegOrientation(file) {
  var bytes = new Uint8Array(await file.slice(0, 131072).arrayBuffer());
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) { return 1; }
  var view = new DataView(bytes.buffer);
  var at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    var marker = bytes[at + 1];
    var length = view.getUint16(at + 2);
    if (marker === 0xe1 && view.getUint32(at + 4) === 0x45786966) { // "Exif"
      var tiff = at + 10;
      if (tiff + 8 > bytes.length) { return 1; }
      var little = view.getUint16(tiff) === 0x4949;
      var ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > bytes.length) { return 1; }
      var entries = view.getUint16(ifd, little);
      for (var i = 0; i < entries; i++) {
        var entry = ifd + 2 + i * 12;
        if (entry + 12 > bytes.length) { return 1; }
        if (view.getUint16(entry, little) === 0x0112) {
          var value = view.getUint16(entry + 8, little);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    if (marker === 0xda) { return 1; } // image data starts: no EXIF before it
    at += 2 + length;
  }
  return 1;
}

// Undo the turn the browser applied, giving the pixels as stored in the file (what Meta's tools hash).
function storedPixels(rgba, width, height, orientation) {
  var swap = orientation >= 5;
  var sw = swap ? height : width;
  var sh = swap ? width : height;
  var out = new Uint8ClampedArray(sw * sh * 4);
  for (var sy = 0; sy < sh; sy++) {
    for (var sx = 0; sx < sw; sx++) {
      var dx, dy;
      switch (orientation) {
        case 2: dx = sw - 1 - sx; dy = sy; break;
        case 3: dx = sw - 1 - sx; dy = sh - 1 - sy; break;
        case 4: dx = sx; dy = sh - 1 - sy; break;
        case 5: dx = sy; dy = sx; break;
        case 6: dx = sh - 1 - sy; dy = sx; break;
        case 7: dx = sh - 1 - sy; dy = sw - 1 - sx; break;
        case 8: dx = sy; dy = sw - 1 - sx; break;
        default: dx = sx; dy = sy;
      }
      var from = (dy * width + dx) * 4;
      var to = (sy * sw + sx) * 4;
      out[to] = rgba[from]; out[to + 1] = rgba[from + 1]; out[to + 2] = rgba[from + 2]; out[to + 3] = rgba[from + 3];
    }
  }
  return { rgba: out, width: sw, height: sh };
}

self.onmessage = async function (event) {
  var job = event.data;
  try {
    if (job.kind === "image") {
      var md5 = await md5OfFile(job.file, job.id);
      var pixels = await pixelsOfImage(job.file);
      var orientation = await jpegOrientation(job.file);
      var shown = SxrPdq.pdqFromImagePixels(pixels.rgba, pixels.width, pixels.height);
      if (orientation === 1) {
        self.postMessage({ id: job.id, kind: "done", md5: md5, pdq: shown, upright: null });
      } else {
        var stored = storedPixels(pixels.rgba, pixels.width, pixels.height, orientation);
        var pdq = SxrPdq.pdqFromImagePixels(stored.rgba, stored.width, stored.height);
        self.postMessage({ id: job.id, kind: "done", md5: md5, pdq: pdq, upright: shown });
      }
    } else if (job.kind === "md5") {
      self.postMessage({ id: job.id, kind: "done", md5: await md5OfFile(job.file, job.id) });
    } else if (job.kind === "frame") {
      var frame = SxrPdq.pdqFromRgba(new Uint8ClampedArray(job.rgba), job.width, job.height);
      self.postMessage({ id: job.id, kind: "done", pdq: frame });
    }
  } catch (error) {
    self.postMessage({ id: job.id, kind: "error", message: String(error && error.message ? error.message : error) });
  }
};
