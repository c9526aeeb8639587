import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThreadcastError } from '../../src/core/errors.js';
import { loadImage, prepareImage } from '../../src/media/images.js';
import { noise, noisyJpeg, solidPng, startServer, type TestServer } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<ThreadcastError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ThreadcastError);
    return err as ThreadcastError;
  }
  throw new Error('expected a failure');
}

/** A PNG whose header claims width × height; the pixel data is a token. Decoders trust the header. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('prepareImage: sizes', () => {
  let big: Buffer;
  beforeAll(async () => {
    big = await noisyJpeg(4000, 3000); // ~12 MB of noise: the worst case for a size cap
  });

  for (const maxBytes of [1_000_000, 2_000_000]) {
    it(`brings a 4000×3000 noisy photo under ${maxBytes} bytes, at most 2000 px, keeping its aspect ratio`, async () => {
      const out = await prepareImage(big, { maxBytes });
      expect(out.data.byteLength).toBeLessThanOrEqual(maxBytes);
      expect(out.mimeType).toBe('image/jpeg');
      expect(Math.max(out.width, out.height)).toBeLessThanOrEqual(2000);
      expect(out.width / out.height).toBeCloseTo(4 / 3, 2);
      const meta = await sharp(out.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', out.width, out.height]);
    });
  }

  it('steps size down when quality alone is not enough, reporting the dimensions it produced', async () => {
    const out = await prepareImage(big, { maxBytes: 150_000 });
    expect(out.data.byteLength).toBeLessThanOrEqual(150_000);
    expect(out.width).toBeLessThan(2000);
    expect(out.width / out.height).toBeCloseTo(4 / 3, 1);
    const meta = await sharp(out.data).metadata();
    expect([meta.width, meta.height]).toEqual([out.width, out.height]);
  });

  it('honours maxDimension and never enlarges', async () => {
    const small = await noisyJpeg(300, 600);
    const scaled = await prepareImage(small, { maxBytes: 2_000_000, maxDimension: 200 });
    expect([scaled.width, scaled.height]).toEqual([100, 200]);
    const same = await prepareImage(small, { maxBytes: 2_000_000 });
    expect([same.width, same.height]).toEqual([300, 600]);
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const input = await noisyJpeg(800, 600);
    const a = await prepareImage(input, { maxBytes: 200_000 });
    const b = await prepareImage(input, { maxBytes: 200_000 });
    expect(a.data.equals(b.data)).toBe(true);
  });
});

describe('prepareImage: formats and transparency', () => {
  it('keeps a PNG with real transparency as PNG when it fits', async () => {
    const out = await prepareImage(await solidPng(400, 300, 0.5), { maxBytes: 1_000_000 });
    expect(out.mimeType).toBe('image/png');
    expect([out.width, out.height]).toEqual([400, 300]);
    const meta = await sharp(out.data).metadata();
    expect(meta.format).toBe('png');
    expect(meta.hasAlpha).toBe(true);
  });

  it('falls back to JPEG (on white) when the transparent PNG does not fit', async () => {
    const rgba = await sharp(noise(600 * 600 * 4), { raw: { width: 600, height: 600, channels: 4 } }).png().toBuffer();
    const out = await prepareImage(rgba, { maxBytes: 300_000 });
    expect(out.mimeType).toBe('image/jpeg');
    expect(out.data.byteLength).toBeLessThanOrEqual(300_000);
  });

  it('an alpha channel that is fully opaque does not force PNG', async () => {
    const out = await prepareImage(await solidPng(200, 100, 1), { maxBytes: 1_000_000 });
    expect(out.mimeType).toBe('image/jpeg');
  });

  it('reads webp, avif and gif (TIFF is refused: tests/security/jpeg-scans.test.ts)', async () => {
    const make = () => sharp({ create: { width: 120, height: 90, channels: 3, background: '#2a7' } });
    const inputs = {
      webp: await make().webp().toBuffer(),
      avif: await make().avif().toBuffer(),
      gif: await make().gif().toBuffer(),
    };
    for (const [format, input] of Object.entries(inputs)) {
      const out = await prepareImage(input, { maxBytes: 1_000_000 });
      expect([out.width, out.height], format).toEqual([120, 90]);
    }
  });

  it('takes the first frame of an animated GIF', async () => {
    const frames = Buffer.concat([Buffer.alloc(100 * 80 * 3, 0), Buffer.alloc(100 * 80 * 3, 255)]); // black, then white
    const gif = await sharp(frames, { raw: { width: 100, height: 160, channels: 3, pageHeight: 80 } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const out = await prepareImage(gif, { maxBytes: 1_000_000 });
    expect([out.width, out.height]).toEqual([100, 80]);
    const { channels } = await sharp(out.data).stats();
    expect(channels[0]!.mean).toBeLessThan(20); // black: the first frame
  });
});

describe('prepareImage: orientation and privacy', () => {
  it('applies the EXIF orientation (6 = rotate 90° clockwise) and reports the rotated size', async () => {
    // Stored 300×200: left half red, right half blue. Displayed, it is 200×300 with red on top.
    const raw = Buffer.alloc(300 * 200 * 3);
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 300; x++) {
        const i = (y * 300 + x) * 3;
        if (x < 150) raw[i] = 255;
        else raw[i + 2] = 255;
      }
    }
    const input = await sharp(raw, { raw: { width: 300, height: 200, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(input).metadata()).orientation).toBe(6);

    const out = await prepareImage(input, { maxBytes: 1_000_000 });
    expect([out.width, out.height]).toEqual([200, 300]);
    const meta = await sharp(out.data).metadata();
    expect(meta.orientation).toBeUndefined();
    const { data } = await sharp(out.data).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [data[(y * 200 + x) * 3]!, data[(y * 200 + x) * 3 + 2]!];
    const [topR, topB] = px(100, 30);
    const [bottomR, bottomB] = px(100, 270);
    expect(topR).toBeGreaterThan(200);
    expect(topB).toBeLessThan(60);
    expect(bottomB).toBeGreaterThan(200);
    expect(bottomR).toBeLessThan(60);
  });

  it('strips EXIF (GPS, names), ICC and XMP metadata', async () => {
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } })
      .jpeg()
      .withExif({
        IFD0: { Artist: 'Jane Secret-Person', Copyright: 'Jane' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withIccProfile('p3')
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>secret-xmp</rdf:Description></rdf:RDF></x:xmpmeta>')
      .toBuffer();
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(input.includes('Jane Secret-Person')).toBe(true);

    const out = await prepareImage(input, { maxBytes: 1_000_000 });
    const after = await sharp(out.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(out.data.includes('Jane')).toBe(false);
    expect(out.data.includes('secret-xmp')).toBe(false);
  });
});

describe('prepareImage: refusals', () => {
  it('garbage input is a permanent "not an image"', async () => {
    for (const input of [Buffer.from('<html>definitely not an image</html>'), Buffer.alloc(0), noise(5000)]) {
      const err = await failure(prepareImage(input, { maxBytes: 1_000_000 }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/not an image/);
    }
  });

  it('a truncated JPEG is refused rather than half-decoded', async () => {
    const jpeg = await noisyJpeg(400, 300);
    const err = await failure(prepareImage(jpeg.subarray(0, 2000), { maxBytes: 1_000_000 }));
    expect(err.kind).toBe('permanent');
  });

  it('SVG is refused (not rasterised)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const err = await failure(prepareImage(svg, { maxBytes: 1_000_000 }));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/format svg/);
  });

  it('refuses a pixel bomb by its header, before decoding (100,000 × 100,000)', async () => {
    const started = Date.now();
    const err = await failure(prepareImage(pngHeaderOnly(100_000, 100_000), { maxBytes: 1_000_000 }));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/100000×100000 pixels, more than the 50 megapixels allowed/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('honours a lower maxInputPixels for a real image', async () => {
    const input = await solidPng(1200, 1000);
    const err = await failure(prepareImage(input, { maxBytes: 1_000_000, maxInputPixels: 1_000_000 }));
    expect(err.message).toMatch(/1200×1000 pixels, more than the 1 megapixels allowed/);
  });
});

describe('loadImage', () => {
  let server: TestServer;
  let dir: string;
  let jpeg: Buffer;
  beforeAll(async () => {
    jpeg = await noisyJpeg(200, 150);
    server = await startServer();
    server.route('/photo.jpg', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(jpeg);
    });
    dir = await mkdtemp(join(tmpdir(), 'threadcast-images-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches an http URL through the guard with an image Accept header', async () => {
    const bytes = await loadImage(`${server.origin}/photo.jpg`, { timeoutMs: 2_000, allowPrivateHosts: ['127.0.0.1'] });
    expect(bytes.equals(jpeg)).toBe(true);
    expect(server.headers.get('/photo.jpg')?.accept).toMatch(/^image\//);
  });

  it('refuses a private URL unless allowed, and caps the download', async () => {
    const refused = await failure(loadImage(`${server.origin}/photo.jpg`, { timeoutMs: 2_000, allowPrivateHosts: [] }));
    expect(refused.message).toMatch(/is loopback/);
    const capped = await failure(loadImage(`${server.origin}/photo.jpg`, { timeoutMs: 2_000, maxBytes: 1_000, allowPrivateHosts: ['127.0.0.1'] }));
    expect(capped.message).toMatch(/larger than 1000 bytes/);
  });

  it('reads a local file (path or file: URL) with a size cap', async () => {
    const path = join(dir, 'upload.jpg');
    await writeFile(path, jpeg);
    expect((await loadImage(path, { timeoutMs: 1_000, allowPrivateHosts: [] })).equals(jpeg)).toBe(true);
    expect((await loadImage(pathToFileURL(path).href, { timeoutMs: 1_000, allowPrivateHosts: [] })).equals(jpeg)).toBe(true);
    const big = await failure(loadImage(path, { timeoutMs: 1_000, maxBytes: 100, allowPrivateHosts: [] }));
    expect(big.kind).toBe('permanent');
    expect(big.message).toMatch(/larger than 100 bytes/);
    const missing = await failure(loadImage(join(dir, 'nope.jpg'), { timeoutMs: 1_000, allowPrivateHosts: [] }));
    expect(missing.message).toMatch(/no such file/);
    const directory = await failure(loadImage(dir, { timeoutMs: 1_000, allowPrivateHosts: [] }));
    expect(directory.message).toMatch(/not a regular file/);
  });

  it('refuses other schemes', async () => {
    const err = await failure(loadImage('ftp://example.com/a.jpg', { timeoutMs: 1_000, allowPrivateHosts: [] }));
    expect(err.kind).toBe('permanent');
  });
});
