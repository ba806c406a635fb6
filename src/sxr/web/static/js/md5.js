// A small incremental MD5 (RFC 1321) of bytes read locally: the file never leaves the device.
// MD5 is used only because StopNCII and NCMEC exchange it for exact copies, not for security.
(function (root) {
  "use strict";

  var S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
  var K = new Int32Array([
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391]);

  function Md5() {
    this.h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
    this.buffer = new Uint8Array(64);
    this.buffered = 0;
    this.length = 0;
    this.words = new Int32Array(16);
  }

  Md5.prototype.block = function (bytes, offset) {
    var m = this.words;
    for (var j = 0; j < 16; j++) {
      var p = offset + j * 4;
      m[j] = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    }
    var a = this.h[0], b = this.h[1], c = this.h[2], d = this.h[3];
    for (var i = 0; i < 64; i++) {
      var f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      f = (f + a + K[i] + m[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((f << S[i]) | (f >>> (32 - S[i])))) | 0;
    }
    this.h[0] = (this.h[0] + a) | 0;
    this.h[1] = (this.h[1] + b) | 0;
    this.h[2] = (this.h[2] + c) | 0;
    this.h[3] = (this.h[3] + d) | 0;
  };

  Md5.prototype.update = function (bytes) {
    var i = 0;
    this.length += bytes.length;
    if (this.buffered > 0) {
      while (i < bytes.length && this.buffered < 64) { this.buffer[this.buffered++] = bytes[i++]; }
      if (this.buffered < 64) { return this; }
      this.block(this.buffer, 0);
      this.buffered = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) { this.block(bytes, i); }
    while (i < bytes.length) { this.buffer[this.buffered++] = bytes[i++]; }
    return this;
  };

  Md5.prototype.hex = function () {
    var bits = this.length * 8;
    var pad = new Uint8Array(((this.buffered < 56 ? 56 : 120) - this.buffered) + 8);
    pad[0] = 0x80;
    var lo = bits >>> 0;
    var hi = Math.floor(bits / 4294967296) >>> 0;
    var n = pad.length;
    for (var k = 0; k < 4; k++) {
      pad[n - 8 + k] = (lo >>> (8 * k)) & 0xff;
      pad[n - 4 + k] = (hi >>> (8 * k)) & 0xff;
    }
    var length = this.length;
    this.update(pad);
    this.length = length;
    var out = "";
    for (var w = 0; w < 4; w++) {
      for (var byte = 0; byte < 4; byte++) {
        out += ("0" + ((this.h[w] >>> (8 * byte)) & 0xff).toString(16)).slice(-2);
      }
    }
    return out;
  };

  root.SxrMd5 = {
    Md5: Md5,
    hex: function (bytes) { return new Md5().update(bytes).hex(); },
  };
})(typeof self !== "undefined" ? self : this);
