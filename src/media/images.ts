import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Metadata, type OutputInfo, type SharpOptions } from 'sharp';
import { permanent, retryable, ThreadcastError } from '../core/errors.js';
import { guardedFetch } from './guarded-fetch.js';
import { jpegScanCount } from './jpeg-scans.js';

export type ImageMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

export interface PreparedImage {
  data: Buffer;
  mimeType: ImageMimeType;
  /** Of `data`, after rotation and scaling: use them for Bluesky's aspectRatio. */
  width: number;
  height: number;
}

export interface ImageLimits {
  /** The encoded result must be at most this many bytes (Bluesky images 2,000,000; card thumbs 1,000,000; X 5 MB). */
  maxBytes: number;
  /** Longest side in pixels; default 2000. */
  maxDimension?: number;
  /** Refuse inputs with more pixels than this (decompression bombs); default 50 megapixels. */
  maxInputPixels?: number;
}

export const DEFAULT_MAX_DIMENSION = 2000;
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;
/**
 * Formats we decode: what the web serves. SVG (a renderer with its own attack surface), PDF and raw inputs are
 * refused, and so are TIFF and HEIF other than AVIF, which no browser shows in a page and which may wrap JPEG data
 * that the scan count below does not see.
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);
/** HEIF is taken only as AVIF (an AV1 image): sharp reports both as `heif`. */
const ACCEPTED_HEIF_COMPRESSION = 'av1';
/**
 * More scans than encoders write (libjpeg's progressive mode writes 10), few enough to keep a decode within seconds:
 * a 49-megapixel grey picture took 3.4 s in 98 scans, 0.5 s in its own 10 (measured on this project's 2-core machine).
 */
export const MAX_JPEG_SCANS = 100;
const JPEG_QUALITIES = [85, 75, 65, 55] as const;
const MAX_SCALE_STEP = 0.9;
const MIN_DIMENSION = 64;

/**
 * Re-encode an image for upload: first frame only, EXIF orientation applied, every metadata block dropped (no GPS,
 * no camera serial), sRGB, longest side ≤ maxDimension. An image with real transparency stays PNG when that fits
 * under maxBytes; everything else becomes JPEG (flattened on white), stepping quality and then size down until it
 * fits. The same input and limits give the same bytes. Undecodable input is a permanent error ("not an image").
 */
export async function prepareImage(input: Buffer, limits: ImageLimits): Promise<PreparedImage> {
  const maxDimension = Math.max(1, Math.floor(limits.maxDimension ?? DEFAULT_MAX_DIMENSION));
  const maxPixels = limits.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const inputOptions: SharpOptions = { limitInputPixels: maxPixels, failOn: 'error', pages: 1, page: 0 };

  let meta: Metadata;
  try {
    // Header only: no pixel limit here, so a bomb gets the clear message below rather than sharp's.
    meta = await sharp(input, { ...inputOptions, limitInputPixels: false }).metadata();
  } catch (err) {
    throw permanent(`not an image (${shortSharpMessage(err)})`, { cause: err });
  }
  if (!ACCEPTED_FORMATS.has(meta.format)) throw permanent(`not an image we accept (format ${meta.format})`);
  if (meta.format === 'heif' && meta.compression !== ACCEPTED_HEIF_COMPRESSION) throw permanent(`not an image we accept (HEIF with ${meta.compression ?? 'unknown'} compression)`);
  // Each scan is a pass over the whole image: a JPEG of many scans holds a decoding thread for minutes (jpeg-scans.ts).
  if (meta.format === 'jpeg' && jpegScanCount(input, MAX_JPEG_SCANS) > MAX_JPEG_SCANS) {
    throw permanent(`the JPEG has more than ${MAX_JPEG_SCANS} scans, which no encoder writes (a decoding bomb?)`);
  }
  // `height` covers one page here (pages: 1); check before decoding anything.
  const pageHeight = meta.pageHeight ?? meta.height;
  if (!meta.width || !pageHeight) throw permanent('not an image (no dimensions)');
  if (meta.width * pageHeight > maxPixels) {
    throw permanent(
      `image is ${meta.width}×${pageHeight} pixels, more than the ${maxPixels / 1e6} megapixels allowed (a decompression bomb?)`,
    );
  }

  // Decode once: oriented, first frame, scaled to fit, 8-bit sRGB with or without alpha.
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(input, inputOptions)
      .autoOrient()
      .resize({ width: maxDimension, height: maxDimension, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    // sharp's errors carry no code. Its pixel limit can only trip here when the header understated the size
    // (the check above read it): then its own first line says so, inside "not an image (…)".
    throw permanent(`not an image (${shortSharpMessage(err)})`, { cause: err });
  }
  const { width, height, channels } = raw.info;
  const transparent = (channels === 4 || channels === 2) && hasTransparency(raw.data, channels);
  const fromRaw = () => sharp(raw.data, { raw: { width, height, channels } });

  if (transparent) {
    const png = await fromRaw().png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer();
    if (png.byteLength <= limits.maxBytes) return { data: png, mimeType: 'image/png', width, height };
  }

  for (let w = width, h = height; ; ) {
    const scaled = () => {
      const s = fromRaw();
      if (channels === 4 || channels === 2) s.flatten({ background: '#ffffff' });
      return w === width && h === height ? s : s.resize({ width: w, height: h, fit: 'inside' });
    };
    let smallest = Infinity;
    for (const quality of JPEG_QUALITIES) {
      // libjpeg-turbo with optimised Huffman tables: mozjpeg's trellis saves ~10% but is ~20× slower.
      const jpeg = await scaled()
        .jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: true })
        .toBuffer({ resolveWithObject: true });
      if (jpeg.data.byteLength <= limits.maxBytes) {
        return { data: jpeg.data, mimeType: 'image/jpeg', width: jpeg.info.width, height: jpeg.info.height };
      }
      smallest = jpeg.data.byteLength;
    }
    if (Math.max(w, h) <= MIN_DIMENSION) {
      throw permanent(`cannot make the image smaller than ${limits.maxBytes} bytes`);
    }
    // Bytes grow roughly with the pixel count: aim straight for the size that should fit, shrinking by at least 10%.
    const factor = Math.min(MAX_SCALE_STEP, Math.max(0.1, Math.sqrt(limits.maxBytes / smallest) * 0.95));
    w = Math.max(1, Math.round(w * factor));
    h = Math.max(1, Math.round(h * factor));
  }
}

/** Is any pixel's alpha below 255? (An alpha channel that is fully opaque does not need PNG.) */
function hasTransparency(data: Buffer, channels: number): boolean {
  for (let i = channels - 1; i < data.length; i += channels) if (data[i] !== 255) return true;
  return false;
}

function shortSharpMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 160);
}

export interface LoadImageOptions {
  timeoutMs: number;
  /** Cap on the bytes read; default 20 MB. */
  maxBytes?: number;
  allowPrivateHosts: readonly string[];
  userAgent?: string;
}

export const DEFAULT_MAX_IMAGE_SOURCE_BYTES = 20 * 1024 * 1024;
const IMAGE_ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8,*/*;q=0.1';

/**
 * The bytes of an image: an http(s) URL goes through guardedFetch (SSRF guard, timeout, cap); anything else is a
 * local file path or file: URL (editor uploads) read with the same cap. Callers must only pass paths they trust:
 * a feed item's image is always a URL.
 */
export async function loadImage(source: string, opts: LoadImageOptions): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IMAGE_SOURCE_BYTES;
  if (/^https?:\/\//i.test(source)) {
    const res = await guardedFetch(source, {
      timeoutMs: opts.timeoutMs,
      maxBytes,
      allowPrivateHosts: opts.allowPrivateHosts,
      accept: IMAGE_ACCEPT,
      ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    });
    return res.body;
  }
  let path: string;
  if (/^file:/i.test(source)) {
    try {
      path = fileURLToPath(source);
    } catch {
      throw permanent('not a usable file URL', { where: source });
    }
  } else if (/^[a-z][a-z0-9+.-]+:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    throw permanent(`unsupported scheme (an image is an http(s) URL or a file)`, { where: source.replace(/:.*/s, ':…') });
  } else {
    path = resolvePath(source);
  }
  return readFileCapped(path, maxBytes);
}

/**
 * Local image files are named by editors' doors, which store the checked real path. Opened without following a
 * link at the last step and judged on the open handle, so a file swapped for a link (or a pipe) after it was
 * queued is refused instead of read.
 */
async function readFileCapped(path: string, maxBytes: number): Promise<Buffer> {
  const where = path;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw permanent('not a regular file', { where });
      if (info.size > maxBytes) throw permanent(`larger than ${maxBytes} bytes`, { where });
      // Read at most maxBytes + 1: the file may have grown since fstat().
      const buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1));
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > maxBytes) throw permanent(`larger than ${maxBytes} bytes`, { where });
        if (length === buffer.length) break;
      }
      return buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof ThreadcastError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw permanent('no such file', { where, cause: err });
    if (code === 'ELOOP') throw permanent('is a symbolic link: images are read only from the regular file that was checked when it was queued', { where, cause: err });
    if (code === 'EACCES' || code === 'EPERM') throw permanent('permission denied', { where, cause: err });
    if (code === 'EISDIR') throw permanent('not a regular file', { where, cause: err });
    throw retryable(`cannot read the file (${code ?? 'error'})`, { where, cause: err });
  }
}
