/**
 * The objects table as Parquet (hyparquet-writer, pure JS): the same columns and values as the
 * CSV. `class` (the label value, up to 2^32 − 1 in a uint32 label image), `id` and `area_px` are
 * INT64, the bounding box INT32 (an image side is at most 2^31 − 1), everything else DOUBLE; all columns are required (a missing value is NaN, as in the CSV).
 * Rows are buffered and written in row groups of `PARQUET_ROW_GROUP` rows, so memory holds one
 * row group whatever the object count; the footer is written by `finish`.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { measurementNames, measurementValues, type TableLayout } from "./table.js";
import type { MeasuredObject } from "./types.js";

const PARQUET_ROW_GROUP = 65536;
const INT64 = new Set(["class", "id", "area_px"]);
const INT32 = new Set(["bbox_y", "bbox_x", "bbox_height", "bbox_width"]);

/** Writes bytes at a file offset (a temp-then-rename file, a memory buffer). */
export type ByteSink = (at: number, bytes: Uint8Array) => Promise<void>;

/** A ByteWriter whose buffered bytes go to a sink at each row group and at the end. */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: ByteSink) {
    super(1 << 16);
  }
  flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer, 0, this.index).slice();
    const at = this.offset - this.index;
    this.index = 0;
    return this.sink(at, bytes);
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

export class ParquetTable {
  private readonly names: string[];
  private columns: (number | bigint)[][];
  private readonly writer: ParquetWriter;
  private rows = 0;

  /** `rowGroup`: rows per row group (default `PARQUET_ROW_GROUP`; the tests make it small to get several). */
  constructor(
    layout: TableLayout,
    sink: ByteSink,
    private readonly rowGroup = PARQUET_ROW_GROUP,
  ) {
    this.names = ["class", "id", ...measurementNames(layout)];
    this.columns = this.names.map(() => []);
    const schema = [
      { name: "root", num_children: this.names.length },
      ...this.names.map((name) => ({
        name,
        type: INT64.has(name) ? ("INT64" as const) : INT32.has(name) ? ("INT32" as const) : ("DOUBLE" as const),
        repetition_type: "REQUIRED" as const,
      })),
    ];
    this.writer = new ParquetWriter({ writer: new SinkWriter(sink), schema, createdBy: "czmodel" });
  }

  /** Queue one row; returns the write when a row group was full and went out. */
  add(o: MeasuredObject, layout: TableLayout): Promise<void> | undefined {
    const values = [o.class, o.id, ...measurementValues(o, layout)];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      (this.columns[i] as (number | bigint)[]).push(INT64.has(this.names[i] as string) ? BigInt(v) : v);
    }
    return ++this.rows >= this.rowGroup ? this.writeGroup() : undefined;
  }

  private writeGroup(): Promise<void> {
    const columnData = this.names.map((name, i) => ({ name, data: this.columns[i] as (number | bigint)[] }));
    this.columns = this.names.map(() => []);
    const rows = this.rows;
    this.rows = 0;
    return Promise.resolve(this.writer.write({ columnData, rowGroupSize: rows }));
  }

  /** The last rows and the footer. */
  async finish(): Promise<void> {
    if (this.rows > 0) await this.writeGroup();
    await this.writer.finish();
  }
}
