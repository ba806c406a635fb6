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
    var canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    return { rgba: context.getImageData(0, 0, bitmap.width, bitmap.height).data, width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

self.onmessage = async function (event) {
  var job = event.data;
  try {
    if (job.kind === "image") {
      var md5 = await md5OfFile(job.file, job.id);
      var pixels = await pixelsOfImage(job.file);
      var pdq = SxrPdq.pdqFromImagePixels(pixels.rgba, pixels.width, pixels.height);
      self.postMessage({ id: job.id, kind: "done", md5: md5, pdq: pdq });
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
