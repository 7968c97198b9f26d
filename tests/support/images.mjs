// Images for the upload tests, made here rather than kept as files: PNGs and GIFs byte by byte
// (so that a test can put metadata, dimensions or trailing data exactly where it wants), JPEG and
// WebP through Debian's reference encoders (cjpeg, cwebp; scripts/setup installs them).
import { deflateSync, crc32 } from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = promisify(execFile);

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

// Pixels that look like something (gradients and noise), from a seed, RGB rows.
export function pixels(width, height, seed = 1) {
  const out = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const n = (s >>> 16) & 63;
      const i = (y * width + x) * 3;
      out[i] = (x * 255 / width + n) & 255;
      out[i + 1] = (y * 255 / height + n) & 255;
      out[i + 2] = ((x + y) * 3 + n) & 255;
    }
  }
  return out;
}

// An RGB PNG (flat: one colour, so that a large one is a small file). extraChunks go before IDAT (e.g. a tEXt chunk); `declared` overrides the
// dimensions in the header only (a decompression bomb says it is huge and holds little).
export function png(width, height, { extraChunks = [], declared, seed = 1, flat = false } = {}) {
  const rgb = flat ? Buffer.alloc(width * height * 3, 200) : pixels(width, height, seed);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rgb.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(declared ? declared[0] : width, 0);
  ihdr.writeUInt32BE(declared ? declared[1] : height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extraChunks.map(([t, d]) => chunk(t, Buffer.from(d))),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// A PNG claiming width × height whose compressed data inflates to all of it: zeros, which
// deflate to almost nothing (a classic decompression bomb).
export function pngBomb(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0;
  const rows = Buffer.alloc(Math.min((width + 1) * Math.min(height, 64), 8 << 20));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// A GIF of `frames` 2-colour frames of width × height, looping, with a comment extension that
// must not survive. Uncompressed LZW: a clear code before every pixel keeps codes at 3 bits.
export function gif(width, height, frames = 2, comment = 'secret comment') {
  const parts = [Buffer.from('GIF89a', 'latin1')];
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0); screen.writeUInt16LE(height, 2);
  screen[4] = 0x80; // global colour table of 2 entries
  parts.push(screen, Buffer.from([0, 0, 0, 255, 255, 255]));
  parts.push(Buffer.from([0x21, 0xff, 11]), Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([3, 1, 0, 0, 0]));
  parts.push(Buffer.from([0x21, 0xfe, comment.length]), Buffer.from(comment, 'latin1'), Buffer.from([0]));
  for (let f = 0; f < frames; f++) {
    parts.push(Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0])); // 0.1 s a frame
    const desc = Buffer.alloc(10);
    desc[0] = 0x2c; desc.writeUInt16LE(width, 5); desc.writeUInt16LE(height, 7);
    parts.push(desc, Buffer.from([2])); // LZW minimum code size 2: clear = 4, end = 5
    // Codes of 3 bits: clear, pixel, clear, pixel, …, end.
    const codes = [];
    for (let i = 0; i < width * height; i++) codes.push(4, (i + f) % 2);
    codes.push(5);
    const bytes = [];
    let acc = 0, bits = 0;
    for (const c of codes) {
      acc |= c << bits; bits += 3;
      while (bits >= 8) { bytes.push(acc & 255); acc >>= 8; bits -= 8; }
    }
    if (bits) bytes.push(acc & 255);
    for (let i = 0; i < bytes.length; i += 255) {
      const block = bytes.slice(i, i + 255);
      parts.push(Buffer.from([block.length, ...block]));
    }
    parts.push(Buffer.from([0]));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

async function withTemp(fn) {
  const dir = await mkdtemp(join(tmpdir(), 'peerdesk-images-'));
  try { return await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

// A JPEG from cjpeg (quality 90) of a width × height picture.
export async function jpeg(width, height, { seed = 1, quality = 90 } = {}) {
  return withTemp(async (dir) => {
    const ppm = join(dir, 'in.ppm');
    await writeFile(ppm, Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`, 'latin1'), pixels(width, height, seed)]));
    await run('cjpeg', ['-quality', String(quality), '-outfile', join(dir, 'out.jpg'), ppm]);
    return readFile(join(dir, 'out.jpg'));
  });
}

// An EXIF APP1 segment with an orientation and a GPS position (latitude 48° N), as a phone writes.
export function exifSegment(orientation = 6) {
  // TIFF, big-endian: IFD0 with Orientation and a GPS IFD pointer; the GPS IFD with a latitude.
  const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4 + 2 + 2 * 12 + 4 + 24);
  let o = 0;
  tiff.write('MM', 0, 'latin1'); tiff.writeUInt16BE(42, 2); tiff.writeUInt32BE(8, 4);
  o = 8;
  tiff.writeUInt16BE(2, o); o += 2;
  tiff.writeUInt16BE(0x0112, o); tiff.writeUInt16BE(3, o + 2); tiff.writeUInt32BE(1, o + 4); tiff.writeUInt16BE(orientation, o + 8); o += 12;
  const gpsAt = 8 + 2 + 24 + 4;
  tiff.writeUInt16BE(0x8825, o); tiff.writeUInt16BE(4, o + 2); tiff.writeUInt32BE(1, o + 4); tiff.writeUInt32BE(gpsAt, o + 8); o += 12;
  tiff.writeUInt32BE(0, o); o += 4;
  tiff.writeUInt16BE(2, o); o += 2;
  tiff.writeUInt16BE(1, o); tiff.writeUInt16BE(2, o + 2); tiff.writeUInt32BE(2, o + 4); tiff.write('N\0', o + 8, 'latin1'); o += 12;
  const latAt = gpsAt + 2 + 24 + 4;
  tiff.writeUInt16BE(2, o); tiff.writeUInt16BE(5, o + 2); tiff.writeUInt32BE(3, o + 4); tiff.writeUInt32BE(latAt, o + 8); o += 12;
  tiff.writeUInt32BE(0, o); o += 4;
  for (const [i, v] of [48, 1, 8, 1, 2400, 100].entries()) tiff.writeUInt32BE(v, latAt + i * 4);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

// The JPEG with the EXIF segment put right after its start marker.
export function withExif(jpegBytes, orientation = 6) {
  return Buffer.concat([jpegBytes.subarray(0, 2), exifSegment(orientation), jpegBytes.subarray(2)]);
}

export async function webp(width, height, { seed = 1 } = {}) {
  return withTemp(async (dir) => {
    await writeFile(join(dir, 'in.png'), png(width, height, { seed }));
    await run('cwebp', ['-quiet', '-q', '80', join(dir, 'in.png'), '-o', join(dir, 'out.webp')]);
    return readFile(join(dir, 'out.webp'));
  });
}

// Dimensions read from the stored file's own header.
export function dimensions(bytes) {
  if (bytes.subarray(1, 4).toString('latin1') === 'PNG') return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return [bytes.readUInt16LE(6), bytes.readUInt16LE(8)];
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let i = 2; i < bytes.length;) {
      const marker = bytes[i + 1];
      const length = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return [bytes.readUInt16BE(i + 7), bytes.readUInt16BE(i + 5)];
      i += 2 + length;
    }
  }
  return null;
}

// Uploads bytes as a browser's form would, through the API (with the client's CSRF token).
export async function upload(client, bytes, { filename = 'image.png', type = 'image/png', path = '/api/v1/uploads', fields = {} } = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type }), filename);
  const headers = path.startsWith('/api/') && client.csrf ? { 'x-csrf-token': client.csrf } : {};
  return client.request('POST', path, { body: form, headers });
}
