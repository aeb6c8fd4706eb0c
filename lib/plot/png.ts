/**
 * A minimal PNG encoder for 8-bit grey, RGB or palette pixels: an image grid
 * carries each image as one small data URL instead of thousands of rects, and
 * a chart's PNG fallback is re-encoded smaller than resvg writes it (a chart
 * has few colours: a palette when it fits, maximum deflate always).
 */
import { deflateSync } from "zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** `pixels` row-major, `channels` bytes per pixel (1 grey, 3 RGB), values 0–255. */
export function encodePNG(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): Buffer {
  return assemble(width, height, channels === 1 ? 0 : 2, channels, pixels, null);
}

/**
 * Opaque RGBA pixels (alpha ignored: draw on a background first) as the
 * smallest of two encodings: 8-bit palette when there are at most 256
 * colours, RGB otherwise.
 */
export function encodeOpaquePNG(width: number, height: number, rgba: Uint8Array): Buffer {
  const n = width * height;
  const palette = new Map<number, number>();
  const indices = new Uint8Array(n);
  for (let i = 0; i < n && palette.size <= 256; i++) {
    const colour = (rgba[4 * i] << 16) | (rgba[4 * i + 1] << 8) | rgba[4 * i + 2];
    let index = palette.get(colour);
    if (index === undefined) palette.set(colour, (index = palette.size));
    indices[i] = index;
  }
  if (palette.size <= 256) {
    const plte = Buffer.alloc(palette.size * 3);
    for (const [colour, index] of palette) plte.set([colour >> 16, (colour >> 8) & 255, colour & 255], index * 3);
    return assemble(width, height, 3, 1, indices, plte);
  }
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) rgb.set(rgba.subarray(4 * i, 4 * i + 3), 3 * i);
  return assemble(width, height, 2, 3, rgb, null);
}

function assemble(
  width: number,
  height: number,
  colourType: number,
  bytesPerPixel: number,
  pixels: Uint8Array,
  palette: Buffer | null,
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = colourType;
  const stride = width * bytesPerPixel;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    ...(palette ? [chunk("PLTE", palette)] : []),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function pngDataURL(width: number, height: number, channels: 1 | 3, pixels: Uint8Array): string {
  return `data:image/png;base64,${encodePNG(width, height, channels, pixels).toString("base64")}`;
}
