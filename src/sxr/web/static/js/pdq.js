// PDQ image hashing in plain JavaScript, after Meta's reference C++ (facebook/ThreatExchange pdq/cpp),
// plus the pre-shrink the reference tools do (Pillow's thumbnail((512, 512)): box reduce, then bicubic).
// Single-precision steps are repeated with Math.fround so that, given the same RGB pixels, the hash is
// the one Meta's C++ gives. Works in a page and in a Web Worker (it only needs typed arrays).
(function (root) {
  "use strict";

  var PRECISION_BITS = 22; // Pillow: 32 - 8 - 2
  var fround = Math.fround;

  // ---- Pillow's thumbnail((512, 512)) on RGB pixels ----

  function roundAspect(number, key) {
    var lo = Math.floor(number);
    var hi = Math.ceil(number);
    var best = key(lo) <= key(hi) ? lo : hi;
    return Math.max(best, 1);
  }

  // The size Pillow's thumbnail() picks (null when the image already fits).
  function thumbnailSize(width, height, maxWidth, maxHeight) {
    if (maxWidth >= width && maxHeight >= height) { return null; }
    var aspect = width / height;
    var x = maxWidth;
    var y = maxHeight;
    if (x / y >= aspect) {
      x = roundAspect(y * aspect, function (n) { return Math.abs(aspect - n / y); });
    } else {
      y = roundAspect(x / aspect, function (n) { return n === 0 ? 0 : Math.abs(aspect - x / n); });
    }
    return [x, y];
  }

  function reduceMultiplier(divider) {
    // Pillow's division_UINT32(divider, 8), computed in single precision as the C code does.
    return Math.floor(fround(4294967296 / fround(256 * divider)));
  }

  // Pillow's Image.reduce((fx, fy)): the rounded mean of each fx x fy block (smaller blocks at the edges).
  function reduceChannel(src, width, height, fx, fy) {
    var outW = Math.ceil(width / fx);
    var outH = Math.ceil(height / fy);
    var out = new Uint8Array(outW * outH);
    for (var oy = 0; oy < outH; oy++) {
      var y0 = oy * fy;
      var y1 = Math.min(y0 + fy, height);
      for (var ox = 0; ox < outW; ox++) {
        var x0 = ox * fx;
        var x1 = Math.min(x0 + fx, width);
        var sum = 0;
        for (var y = y0; y < y1; y++) {
          var row = y * width;
          for (var x = x0; x < x1; x++) { sum += src[row + x]; }
        }
        var count = (x1 - x0) * (y1 - y0);
        var value = Math.floor(((sum + Math.floor(count / 2)) * reduceMultiplier(count)) / 16777216);
        out[oy * outW + ox] = value > 255 ? 255 : value;
      }
    }
    return out;
  }

  function bicubic(x) {
    var a = -0.5;
    if (x < 0) { x = -x; }
    if (x < 1) { return ((a + 2) * x - (a + 3)) * x * x + 1; }
    if (x < 2) { return (((x - 5) * x + 8) * x - 4) * a; }
    return 0;
  }

  // Pillow's precompute_coeffs + normalize_coeffs_8bpc for a bicubic resample along one axis.
  function coefficients(inSize, in0, in1, outSize) {
    var scale = (in1 - in0) / outSize;
    var filterscale = Math.max(scale, 1);
    var support = 2 * filterscale;
    var ksize = Math.ceil(support) * 2 + 1;
    var bounds = new Int32Array(outSize * 2);
    var kk = new Float64Array(outSize * ksize);
    for (var xx = 0; xx < outSize; xx++) {
      var center = in0 + (xx + 0.5) * scale;
      var ss = 1 / filterscale;
      var xmin = Math.trunc(center - support + 0.5);
      if (xmin < 0) { xmin = 0; }
      var xmax = Math.trunc(center + support + 0.5);
      if (xmax > inSize) { xmax = inSize; }
      xmax -= xmin;
      var ww = 0;
      var k = new Float64Array(xmax);
      for (var x = 0; x < xmax; x++) {
        var w = bicubic((x + xmin - center + 0.5) * ss);
        k[x] = w;
        ww += w;
      }
      for (x = 0; x < xmax; x++) {
        var v = ww !== 0 ? k[x] / ww : k[x];
        var scaled = v * (1 << PRECISION_BITS);
        kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + scaled) : Math.trunc(0.5 + scaled);
      }
      bounds[xx * 2] = xmin;
      bounds[xx * 2 + 1] = xmax;
    }
    return { ksize: ksize, bounds: bounds, kk: kk };
  }

  function clip8(ss) {
    var v = Math.floor(ss / 4194304); // ss >> PRECISION_BITS, an arithmetic shift
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }

  // Pillow's ImagingResample (bicubic, 8 bits): a horizontal pass, then a vertical pass.
  function resampleChannel(src, inW, inH, outW, outH, box) {
    var horiz = coefficients(inW, box[0], box[2], outW);
    var vert = coefficients(inH, box[1], box[3], outH);
    var needH = outW !== inW || box[0] !== 0 || box[2] !== outW;
    var needV = outH !== inH || box[1] !== 0 || box[3] !== outH;
    var yFirst = vert.bounds[0];
    var yLast = vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1];
    var cur = src;
    var curW = inW;
    var half = 1 << (PRECISION_BITS - 1);
    var vb = Int32Array.from(vert.bounds);
    if (needH) {
      for (var i = 0; i < outH; i++) { vb[i * 2] -= yFirst; }
      var rows = yLast - yFirst;
      var tmp = new Uint8Array(outW * rows);
      for (var yy = 0; yy < rows; yy++) {
        var inRow = (yy + yFirst) * inW;
        for (var xx = 0; xx < outW; xx++) {
          var xmin = horiz.bounds[xx * 2];
          var xmax = horiz.bounds[xx * 2 + 1];
          var kOff = xx * horiz.ksize;
          var ss = half;
          for (var x = 0; x < xmax; x++) { ss += src[inRow + x + xmin] * horiz.kk[kOff + x]; }
          tmp[yy * outW + xx] = clip8(ss);
        }
      }
      cur = tmp;
      curW = outW;
    }
    if (!needV) { return cur; }
    var out = new Uint8Array(outW * outH);
    for (var oy = 0; oy < outH; oy++) {
      var ymin = vb[oy * 2];
      var ymax = vb[oy * 2 + 1];
      var kv = oy * vert.ksize;
      for (var ox = 0; ox < outW; ox++) {
        var s = half;
        for (var y = 0; y < ymax; y++) { s += cur[(y + ymin) * curW + ox] * vert.kk[kv + y]; }
        out[oy * outW + ox] = clip8(s);
      }
    }
    return out;
  }

  // Pillow's resize(size, BICUBIC, reducing_gap=2.0) of one 8-bit channel.
  function resizeChannel(src, width, height, outW, outH) {
    var fx = Math.trunc(width / outW / 2) || 1;
    var fy = Math.trunc(height / outH / 2) || 1;
    var box = [0, 0, width, height];
    if (fx > 1 || fy > 1) {
      src = reduceChannel(src, width, height, fx, fy);
      box = [0, 0, width / fx, height / fy];
      width = Math.ceil(width / fx);
      height = Math.ceil(height / fy);
    }
    return resampleChannel(src, width, height, outW, outH, box);
  }

  // RGBA pixels (as from a canvas) -> {width, height, channels: [R, G, B]} pre-shrunk like the reference.
  function referenceThumbnail(rgba, width, height, maxSide) {
    var n = width * height;
    var channels = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
    for (var i = 0, j = 0; i < n; i++, j += 4) {
      channels[0][i] = rgba[j];
      channels[1][i] = rgba[j + 1];
      channels[2][i] = rgba[j + 2];
    }
    var size = thumbnailSize(width, height, maxSide || 512, maxSide || 512);
    if (size === null) { return { width: width, height: height, channels: channels }; }
    return {
      width: size[0],
      height: size[1],
      channels: channels.map(function (c) { return resizeChannel(c, width, height, size[0], size[1]); }),
    };
  }

  // ---- PDQ (Meta's pdqhashing.cpp) ----

  var DCT = (function () {
    var d = new Float32Array(16 * 64);
    var scale = fround(Math.sqrt(2 / 64));
    for (var i = 0; i < 16; i++) {
      for (var j = 0; j < 64; j++) {
        d[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
      }
    }
    return d;
  })();

  function jaroszWindow(oldDim, newDim) {
    return Math.floor((oldDim + 2 * newDim - 1) / (2 * newDim));
  }

  function box1D(inv, outv, offset, length, stride, windowSize) {
    var half = Math.floor((windowSize + 2) / 2);
    var p1 = half - 1;
    var p2 = windowSize - half + 1;
    var p3 = length - windowSize;
    var p4 = half - 1;
    var li = offset;
    var ri = offset;
    var oi = offset;
    var sum = 0;
    var count = 0;
    var i;
    for (i = 0; i < p1; i++) { sum = fround(sum + inv[ri]); count++; ri += stride; }
    for (i = 0; i < p2; i++) {
      sum = fround(sum + inv[ri]); count++;
      outv[oi] = sum / count;
      ri += stride; oi += stride;
    }
    for (i = 0; i < p3; i++) {
      sum = fround(sum + inv[ri]);
      sum = fround(sum - inv[li]);
      outv[oi] = sum / count;
      li += stride; ri += stride; oi += stride;
    }
    for (i = 0; i < p4; i++) {
      sum = fround(sum - inv[li]); count--;
      outv[oi] = sum / count;
      li += stride; oi += stride;
    }
  }

  function jarosz(buf1, buf2, rows, cols, windowAlongRows, windowAlongCols) {
    for (var rep = 0; rep < 2; rep++) {
      for (var r = 0; r < rows; r++) { box1D(buf1, buf2, r * cols, cols, 1, windowAlongRows); }
      for (var c = 0; c < cols; c++) { box1D(buf2, buf1, c, rows, cols, windowAlongCols); }
    }
  }

  // PDQ of a float luminance buffer (rows x cols); returns {hash: 64 hex chars, quality}.
  function pdqFromLuma(luma, rows, cols) {
    var tmp = new Float32Array(rows * cols);
    jarosz(luma, tmp, rows, cols, jaroszWindow(cols, 64), jaroszWindow(rows, 64));
    var a = new Float32Array(64 * 64);
    for (var i = 0; i < 64; i++) {
      var ini = Math.trunc(((i + 0.5) * rows) / 64);
      for (var j = 0; j < 64; j++) {
        var inj = Math.trunc(((j + 0.5) * cols) / 64);
        a[i * 64 + j] = luma[ini * cols + inj];
      }
    }
    var gradient = 0;
    for (i = 0; i < 63; i++) {
      for (j = 0; j < 64; j++) {
        gradient += Math.abs(Math.trunc(fround(fround(fround(a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255)));
      }
    }
    for (i = 0; i < 64; i++) {
      for (j = 0; j < 63; j++) {
        gradient += Math.abs(Math.trunc(fround(fround(fround(a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255)));
      }
    }
    var quality = Math.min(100, Math.floor(gradient / 90));
    var t = new Float32Array(16 * 64);
    var k, sum;
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 64; j++) {
        sum = 0;
        for (k = 0; k < 64; k++) { sum = fround(sum + fround(DCT[i * 64 + k] * a[k * 64 + j])); }
        t[i * 64 + j] = sum;
      }
    }
    var b = new Float32Array(256);
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 16; j++) {
        sum = 0;
        for (k = 0; k < 64; k++) { sum = fround(sum + fround(t[i * 64 + k] * DCT[j * 64 + k])); }
        b[i * 16 + j] = sum;
      }
    }
    // Torben's median of 256 values is the 128th smallest.
    var median = Float32Array.from(b).sort()[127];
    var hex = "";
    for (i = 15; i >= 0; i--) {
      var word = 0;
      for (j = 0; j < 16; j++) {
        if (b[i * 16 + j] > median) { word |= 1 << j; }
      }
      hex += ("000" + word.toString(16)).slice(-4);
    }
    return { hash: hex, quality: quality };
  }

  function lumaFromChannels(r, g, b, n) {
    var luma = new Float32Array(n);
    for (var i = 0; i < n; i++) { luma[i] = r[i] * 0.299 + g[i] * 0.587 + b[i] * 0.114; }
    return luma;
  }

  // PDQ of RGBA pixels with no pre-shrink (video frames, as upstream vPDQ).
  function pdqFromRgba(rgba, width, height) {
    var n = width * height;
    var luma = new Float32Array(n);
    for (var i = 0, j = 0; i < n; i++, j += 4) {
      luma[i] = rgba[j] * 0.299 + rgba[j + 1] * 0.587 + rgba[j + 2] * 0.114;
    }
    return pdqFromLuma(luma, height, width);
  }

  // PDQ of an image's RGBA pixels after the reference pre-shrink (what Meta's tools and sxr hash).
  function pdqFromImagePixels(rgba, width, height) {
    var thumb = referenceThumbnail(rgba, width, height, 512);
    var c = thumb.channels;
    return pdqFromLuma(lumaFromChannels(c[0], c[1], c[2], thumb.width * thumb.height), thumb.height, thumb.width);
  }

  function hammingDistance(a, b) {
    var d = 0;
    for (var i = 0; i < a.length; i++) {
      var x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
      while (x) { d += x & 1; x >>= 1; }
    }
    return d;
  }

  root.SxrPdq = {
    thumbnailSize: thumbnailSize,
    referenceThumbnail: referenceThumbnail,
    pdqFromLuma: pdqFromLuma,
    pdqFromRgba: pdqFromRgba,
    pdqFromImagePixels: pdqFromImagePixels,
    hammingDistance: hammingDistance,
    QUALITY_THRESHOLD: 50,
    MATCH_THRESHOLD: 31,
  };
})(typeof self !== "undefined" ? self : this);
