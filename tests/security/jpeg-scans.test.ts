/**
 * A progressive JPEG whose scans are repeated: every scan is another pass over every block, so a few hundred
 * kilobytes of a large grey picture held a decoding thread for many seconds, megabytes of it for hours, and such a
 * file can sit behind any feed image or link card. Protects: prepareImage refuses a JPEG of more than
 * MAX_JPEG_SCANS scans before decoding it, counting scans as libjpeg reads them (src/media/jpeg-scans.ts), and
 * still takes every JPEG an encoder writes; formats that could wrap JPEG data out of the count's sight are refused.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_JPEG_SCANS, prepareImage } from '../../src/media/images.js';
import { jpegScanCount } from '../../src/media/jpeg-scans.js';

interface Segment {
  start: number;
  end: number;
  marker: number;
  /** For a scan: its spectral selection start (0 for a DC scan). */
  ss?: number;
}

/** A well-formed JPEG cut into its segments, each scan with its entropy-coded data (written by libjpeg here). */
function segments(jpeg: Buffer): Segment[] {
  const out: Segment[] = [];
  let i = 2;
  while (i < jpeg.length - 2) {
    const marker = jpeg[i + 1]!;
    let end = i + 2 + jpeg.readUInt16BE(i + 2);
    const segment: Segment = { start: i, end, marker };
    if (marker === 0xda) {
      segment.ss = jpeg[i + 5 + jpeg[i + 4]! * 2];
      while (!(jpeg[end] === 0xff && jpeg[end + 1] !== 0 && !(jpeg[end + 1]! >= 0xd0 && jpeg[end + 1]! <= 0xd7))) end++;
      segment.end = end;
    }
    out.push(segment);
    i = end;
  }
  return out;
}

const grey = (side: number, progressive: boolean) =>
  sharp({ create: { width: side, height: side, channels: 3, background: '#808080' } }).jpeg({ progressive, quality: 80 }).toBuffer();

/** `base` with its whole set of AC scans repeated `times` more, before EOI: libjpeg decodes every repeat. */
function withRepeatedScans(base: Buffer, times: number, between: Buffer = Buffer.alloc(0)): Buffer {
  const ac = segments(base).filter((s) => s.marker === 0xda && s.ss! > 0);
  const unit = Buffer.concat(ac.flatMap((s) => [between, base.subarray(s.start, s.end)]));
  const eoi = base.length - 2;
  return Buffer.concat([base.subarray(0, eoi), ...Array<Buffer>(times).fill(unit), Buffer.from([0xff, 0xd9])]);
}

describe('JPEG scans', () => {
  it('counts the scans an encoder writes, and every JPEG an encoder writes is taken', async () => {
    const progressive = await grey(400, true);
    const baseline = await grey(400, false);
    const scans = segments(progressive).filter((s) => s.marker === 0xda).length;
    expect(scans).toBeGreaterThan(1);
    expect(jpegScanCount(progressive, MAX_JPEG_SCANS)).toBe(scans);
    expect(jpegScanCount(baseline, MAX_JPEG_SCANS)).toBe(1);
    for (const input of [progressive, baseline]) expect((await prepareImage(input, { maxBytes: 1_000_000 })).width).toBe(400);
  });

  it('refuses a JPEG of repeated scans before decoding it, and takes one just under the limit', async () => {
    const base = await grey(1200, true);
    const all = segments(base).filter((s) => s.marker === 0xda).length;
    const perRepeat = segments(base).filter((s) => s.marker === 0xda && s.ss! > 0).length;
    const under = Math.floor((MAX_JPEG_SCANS - all) / perRepeat);
    const atMost = withRepeatedScans(base, under);
    expect(jpegScanCount(atMost, MAX_JPEG_SCANS)).toBe(all + under * perRepeat);
    expect(jpegScanCount(atMost, MAX_JPEG_SCANS)).toBeLessThanOrEqual(MAX_JPEG_SCANS);
    expect((await prepareImage(atMost, { maxBytes: 1_000_000 })).width).toBe(1200);

    const bomb = withRepeatedScans(base, under + 1);
    expect(jpegScanCount(bomb, MAX_JPEG_SCANS)).toBeGreaterThan(MAX_JPEG_SCANS);
    await expect(prepareImage(bomb, { maxBytes: 1_000_000 })).rejects.toThrow(`more than ${MAX_JPEG_SCANS} scans`);
    // What is refused is what libjpeg would decode: the same file is a valid image to sharp.
    expect((await sharp(bomb).metadata()).format).toBe('jpeg');
  });

  it('counts scans behind bytes libjpeg skips: junk between scans, fill bytes, restart markers', async () => {
    const base = await grey(300, true);
    const all = segments(base).filter((s) => s.marker === 0xda).length;
    const perRepeat = segments(base).filter((s) => s.marker === 0xda && s.ss! > 0).length;
    for (const between of [Buffer.from('junk between scans'), Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0xff, 0x00, 0xff, 0xd3, 0x41])]) {
      const file = withRepeatedScans(base, 200, between);
      expect(jpegScanCount(file, 10_000), between.toString('hex')).toBe(all + 200 * perRepeat);
      await expect(prepareImage(file, { maxBytes: 1_000_000 })).rejects.toThrow(`more than ${MAX_JPEG_SCANS} scans`);
    }
  });

  it('does not count scan markers inside a segment that has a length (a comment, an EXIF thumbnail)', async () => {
    const base = await grey(300, false);
    const payload = Buffer.concat(Array<Buffer>(500).fill(Buffer.from([0xff, 0xda, 0x00, 0x08])));
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([(payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
    const file = Buffer.concat([base.subarray(0, 2), comment, base.subarray(2)]);
    expect(jpegScanCount(file, MAX_JPEG_SCANS)).toBe(1);
    expect((await prepareImage(file, { maxBytes: 1_000_000 })).width).toBe(300);
  });

  it('stops at the end of the image, and reads on after a length under 2 as libjpeg does', async () => {
    const eoiFirst = Buffer.from([0xff, 0xd8, 0xff, 0xd9, 0xff, 0xda, 0x00, 0x02, 0xff, 0xda, 0x00, 0x02]);
    expect(jpegScanCount(eoiFirst, MAX_JPEG_SCANS)).toBe(0);
    expect(jpegScanCount(Buffer.from([0xff, 0xd8, 0xff]), MAX_JPEG_SCANS)).toBe(0);
    // A comment or APP segment whose length covers nothing: libjpeg skips nothing and decodes every scan after it.
    const base = await grey(300, true);
    const all = segments(base).filter((s) => s.marker === 0xda).length;
    const perRepeat = segments(base).filter((s) => s.marker === 0xda && s.ss! > 0).length;
    const bomb = withRepeatedScans(base, 20);
    for (const prefix of [[0xff, 0xfe, 0x00, 0x00], [0xff, 0xe1, 0x00, 0x00], [0xff, 0xe5, 0x00, 0x01]]) {
      const file = Buffer.concat([bomb.subarray(0, 2), Buffer.from(prefix), bomb.subarray(2)]);
      expect(jpegScanCount(file, 10_000), Buffer.from(prefix).toString('hex')).toBe(all + 20 * perRepeat);
      await expect(prepareImage(file, { maxBytes: 1_000_000 })).rejects.toThrow(`more than ${MAX_JPEG_SCANS} scans`);
    }
  });
});

describe('formats that could wrap JPEG data', () => {
  it('refuses TIFF, and HEIF other than AVIF', async () => {
    const make = () => sharp({ create: { width: 120, height: 90, channels: 3, background: '#2a7' } });
    await expect(prepareImage(await make().tiff({ compression: 'jpeg' }).toBuffer(), { maxBytes: 1_000_000 })).rejects.toThrow('format tiff');
    await expect(prepareImage(await make().tiff().toBuffer(), { maxBytes: 1_000_000 })).rejects.toThrow('format tiff');
    expect((await prepareImage(await make().avif().toBuffer(), { maxBytes: 1_000_000 })).width).toBe(120);
  });
});
