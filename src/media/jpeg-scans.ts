/**
 * How many scans libjpeg would decode in a JPEG, counted without decoding it.
 *
 * A progressive JPEG is a series of scans, and every scan is one more pass over every block of the image. The
 * format sets no limit on their number, and a scan of an all-grey picture takes a few dozen bytes: a 330 KB file of
 * a 49-megapixel grey picture whose AC scans are repeated a hundred times held one of libuv's four threads (which
 * `dns.lookup` shares) for 17.6 s, and a few megabytes of it would hold one for hours. Neither the pixel limit nor
 * sharp's timeout stops it (libvips looks at the clock only once the scans are read). Encoders write about 10
 * scans, and libjpeg-turbo's own tools take a `-maxscans` limit for this very case.
 *
 * The walk reads markers as libjpeg's marker reader does, so it finds every scan libjpeg would: bytes between
 * markers are skipped, however many; 0xFF fill bytes before a marker code are skipped; `FF 00` (a stuffed byte in
 * entropy-coded data), the restart markers RST0–7 and TEM stand alone; a segment with a length is skipped whole by
 * it (so a scan header's own bytes, or an APP segment holding an EXIF thumbnail, are not read as markers), a length
 * under 2 as libjpeg skips it; EOI ends the image. After a scan header the entropy-coded data is read the same way, byte by byte, to the next marker.
 * Linear in the file's length, and it stops as soon as `limit` is passed.
 */
const MARKER = 0xff;
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const TEM = 0x01;
const RST0 = 0xd0;
const RST7 = 0xd7;

/** The number of scans (SOS markers) libjpeg would read, counting stopped at `limit + 1`. */
export function jpegScanCount(data: Uint8Array, limit: number): number {
  let scans = 0;
  let i = 2;
  while (i < data.length) {
    if (data[i] !== MARKER) {
      i++;
      continue;
    }
    while (i < data.length && data[i] === MARKER) i++;
    if (i >= data.length) break;
    const code = data[i]!;
    i++;
    if (code === 0 || code === TEM || code === SOI || (code >= RST0 && code <= RST7)) continue;
    if (code === EOI) break;
    if (code === SOS && ++scans > limit) break;
    if (i + 2 > data.length) break;
    const length = (data[i]! << 8) | data[i + 1]!;
    // A length under 2 covers not even itself. libjpeg refuses it in the segments it reads (SOF, SOS, DHT, DQT, DRI),
    // and for those it skips (APPn, COM) it skips nothing and reads on after the two length bytes: so does the walk,
    // which can only count one scan too many in a file libjpeg refuses anyway.
    i += length < 2 ? 2 : length;
  }
  return scans;
}
