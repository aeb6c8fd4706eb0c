/**
 * Makes large inputs small enough to draw, in ways a chart can state in its
 * subtitle: means over buckets of consecutive points, every k-th point, means
 * over blocks of a matrix.
 */

export interface Bucketed {
  x: number[];
  y: number[];
  /** Points per bucket; 1 means nothing was summarised. */
  size: number;
}

/** Means of consecutive buckets of equal size, at most `maxPoints` of them; NaNs stay NaN so they are not hidden. */
export function bucketMeans(x: readonly number[], y: readonly number[], maxPoints: number): Bucketed {
  const size = Math.max(1, Math.ceil(y.length / maxPoints));
  if (size === 1) return { x: [...x], y: [...y], size };
  const out: Bucketed = { x: [], y: [], size };
  for (let start = 0; start < y.length; start += size) {
    const end = Math.min(start + size, y.length);
    let sx = 0;
    let sy = 0;
    for (let i = start; i < end; i++) {
      sx += x[i];
      sy += y[i];
    }
    out.x.push(sx / (end - start));
    out.y.push(sy / (end - start));
  }
  return out;
}

/** Indices of every `stride`-th item, so that at most `maxItems` remain. */
export function strideSample(n: number, maxItems: number): { indices: number[]; stride: number } {
  const stride = Math.max(1, Math.ceil(n / maxItems));
  const indices: number[] = [];
  for (let i = 0; i < n; i += stride) indices.push(i);
  return { indices, stride };
}

export interface Pooled {
  data: number[];
  rows: number;
  cols: number;
  rowBlock: number;
  colBlock: number;
}

/** Mean-pools a row-major [rows, cols] matrix into blocks so it has at most maxRows × maxCols cells. */
export function poolMatrix(
  data: readonly number[],
  rows: number,
  cols: number,
  maxRows: number,
  maxCols: number,
): Pooled {
  const rowBlock = Math.max(1, Math.ceil(rows / maxRows));
  const colBlock = Math.max(1, Math.ceil(cols / maxCols));
  if (rowBlock === 1 && colBlock === 1) return { data: [...data], rows, cols, rowBlock, colBlock };
  const outRows = Math.ceil(rows / rowBlock);
  const outCols = Math.ceil(cols / colBlock);
  const out: number[] = [];
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let sum = 0;
      let count = 0;
      for (let i = r * rowBlock; i < Math.min((r + 1) * rowBlock, rows); i++) {
        for (let j = c * colBlock; j < Math.min((c + 1) * colBlock, cols); j++) {
          sum += data[i * cols + j];
          count++;
        }
      }
      out.push(sum / count);
    }
  }
  return { data: out, rows: outRows, cols: outCols, rowBlock, colBlock };
}

/** Labels of pooled blocks: `the…cat` for a block of tokens, the label itself for a block of one. */
export function poolLabels(labels: readonly string[], block: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < labels.length; start += block) {
    const end = Math.min(start + block, labels.length) - 1;
    out.push(end === start ? labels[start] : `${labels[start]}…${labels[end]}`);
  }
  return out;
}
