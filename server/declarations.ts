/**
 * The declarations each cell sees from the cells before it. tslab forgets
 * all of a cell's declarations when the cell throws, so a function defined
 * above the failing line is "not found" in the next cell; Python keeps it,
 * and so do we: a cell's declarations are kept unless it did not compile.
 */
import type { Converter } from "tslab/dist/converter";

export class Declarations {
  private kept = "";
  private pending: string | null = null;

  /** The converter, with the earlier cells' declarations taken from here instead of from tslab's executor. */
  wrap(converter: Converter): Converter {
    return {
      convert: (_tslabs: string, src: string) => {
        const result = converter.convert(this.kept, src);
        this.pending = result.declOutput ?? "";
        return result;
      },
      inspect: (_tslabs: string, src: string, position: number) => converter.inspect(this.kept, src, position),
      complete: (_tslabs: string, src: string, position: number) => converter.complete(this.kept, src, position),
      addModule: (name, content, meta) => converter.addModule(name, content, meta),
      close: () => converter.close(),
    };
  }

  /** Ends a cell: its declarations stay for the next cells unless it did not compile. */
  settle(compiled: boolean): void {
    if (compiled && this.pending !== null) this.kept = this.pending;
    this.pending = null;
  }
}
