/**
 * The IDX format of MNIST and Fashion-MNIST (gzipped or raw): a magic
 * number (0, 0, type, rank), rank big-endian 32-bit sizes, then the values,
 * big-endian.
 *
 *   const images = readIdx("train-images-idx3-ubyte.gz");   // shape [60000, 28, 28], uint8
 */
import * as fs from "fs";
import { gunzipSync } from "zlib";

/** The contents of an IDX file: its shape (e.g. [60000, 28, 28]) and its values, row-major, in the file's own type. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<
  number,
  { bytes: number; read: (view: DataView, offset: number) => number; make: (n: number) => IdxArray["data"] }
> = {
  0x08: { bytes: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  0x09: { bytes: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  0x0b: { bytes: 2, read: (v, o) => v.getInt16(o), make: (n) => new Int16Array(n) },
  0x0c: { bytes: 4, read: (v, o) => v.getInt32(o), make: (n) => new Int32Array(n) },
  0x0d: { bytes: 4, read: (v, o) => v.getFloat32(o), make: (n) => new Float32Array(n) },
  0x0e: { bytes: 8, read: (v, o) => v.getFloat64(o), make: (n) => new Float64Array(n) },
};

/** Reads an IDX file; `.gz` or not is told by the content, not the name. */
export function readIdx(file: string): IdxArray {
  const raw = fs.readFileSync(file);
  return parseIdx(raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw, file);
}

/** Parses IDX bytes already in memory and unzipped; `name` names them in errors. */
export function parseIdx(bytes: Uint8Array, name = "IDX data"): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = TYPES[bytes[2]];
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !type) {
    throw new Error(
      `${name} is not an IDX file: it should start with bytes 0, 0, a type (0x08 to 0x0e) and a rank; it starts with ${Array.from(bytes.slice(0, 4)).join(", ")}`,
    );
  }
  const rank = bytes[3];
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length !== start + count * type.bytes) {
    throw new Error(
      `${name}: the header says shape [${shape}] (${count * type.bytes} bytes of values) but ${bytes.length - start} bytes follow it; the file is truncated or not IDX`,
    );
  }
  if (type.bytes === 1) {
    const data = type.make(count);
    data.set(bytes[2] === 0x08 ? bytes.subarray(start) : new Int8Array(bytes.buffer, bytes.byteOffset + start, count));
    return { shape, data };
  }
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, start + i * type.bytes);
  return { shape, data };
}
