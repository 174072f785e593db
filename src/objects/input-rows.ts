/**
 * The prediction's input rows, kept for the objects' intensity columns: `InputRows.observe`
 * wraps the input `ImageSource`, and every region the engine reads through it (tile windows,
 * borders included) is also copied, row by row, into full-width rows per C plane. When a label
 * band is complete, the engine has read every pixel of those rows (each output pixel lies in a
 * tile whose window was read), so the band's intensity is taken from these rows instead of
 * reading and decoding the input a second time. Rows are handed back to a pool once taken; rows
 * above the next band are not kept, and columns a row already holds from its left edge on (the
 * overlap of neighbouring tile windows, and rows read again as the next tile row's border) are
 * not copied again. Memory: the rows read but not yet labelled (about one tile row plus its
 * borders and what the engine reads ahead). Isomorphic.
 */
import { readsRegionsInto } from "../io/reuse.js";
import { allocSamples, type ImageSource, type PlaneIndex, type Rect, type SampleArray } from "../io/types.js";

/** One full-width row being filled, and how far it is filled without a gap from column 0 (exclusive, in pixels). */
interface KeptRow {
  data: SampleArray;
  filled: number;
}

export class InputRows {
  /** Per C plane: full-width rows read but not yet taken, by row index. */
  private readonly planes = new Map<number, Map<number, KeptRow>>();
  private readonly free: SampleArray[] = [];
  /** Rows before this one are labelled: later reads of them (tile borders) are not kept. */
  private nextRow = 0;
  private readonly rowLength: number;
  private stopped = false;

  constructor(private readonly source: ImageSource) {
    this.rowLength = source.info.width * source.info.samplesPerPixel;
  }

  /** `source` with every region read also kept here. */
  observe(): ImageSource {
    const { source } = this;
    const wrapper: ImageSource & { readRegionInto?: (plane: PlaneIndex, rect: Rect, out: SampleArray) => Promise<SampleArray> } = {
      info: source.info,
      readRegion: async (plane, rect) => this.keep(plane, rect, await source.readRegion(plane, rect)),
      close: () => source.close(),
    };
    if (readsRegionsInto(source))
      wrapper.readRegionInto = async (plane, rect, out) => this.keep(plane, rect, await source.readRegionInto(plane, rect, out));
    return wrapper;
  }

  private keep(plane: PlaneIndex, rect: Rect, data: SampleArray): SampleArray {
    if (this.stopped) return data;
    let rows = this.planes.get(plane.c);
    if (!rows) {
      rows = new Map();
      this.planes.set(plane.c, rows);
    }
    const spp = this.source.info.samplesPerPixel;
    const length = rect.width * spp;
    const right = rect.x + rect.width;
    for (let r = Math.max(0, this.nextRow - rect.y); r < rect.height; r++) {
      const y = rect.y + r;
      let row = rows.get(y);
      if (!row) {
        row = { data: this.free.pop() ?? allocSamples(this.source.info.sampleType, this.rowLength), filled: 0 };
        rows.set(y, row);
      }
      // where the rect continues the filled part, copy only what is new
      const continues = rect.x <= row.filled;
      const from = continues ? Math.max(rect.x, row.filled) : rect.x;
      if (from >= right) continue;
      const start = r * length + (from - rect.x) * spp;
      (row.data as Uint8Array).set((data as Uint8Array).subarray(start, (r + 1) * length), from * spp);
      if (continues) row.filled = right;
    }
    return data;
  }

  /**
   * Rows y..y+rows of C plane `c` copied into `out` (`rows × width × samplesPerPixel` samples),
   * and forgotten; false when any of them was not read (the caller then reads the source).
   */
  take(c: number, y: number, rows: number, out: SampleArray): boolean {
    const kept = this.planes.get(c);
    let all = kept !== undefined;
    for (let r = 0; r < rows && all; r++) all = kept!.has(y + r);
    if (all) for (let r = 0; r < rows; r++) (out as Uint8Array).set(kept!.get(y + r)!.data as Uint8Array, r * this.rowLength);
    return all;
  }

  /**
   * Rows y..y+rows of every C plane (per plane, one array per row, valid until `done`), when
   * the image has one sample per pixel and all of them were read; otherwise undefined.
   */
  bandRows(y: number, rows: number): SampleArray[][] | undefined {
    const { sizes, samplesPerPixel } = this.source.info;
    if (samplesPerPixel !== 1) return undefined;
    const out: SampleArray[][] = [];
    for (let c = 0; c < sizes.c; c++) {
      const kept = this.planes.get(c);
      if (!kept) return undefined;
      const plane: SampleArray[] = [];
      for (let r = 0; r < rows; r++) {
        const row = kept.get(y + r);
        if (!row) return undefined;
        plane.push(row.data);
      }
      out.push(plane);
    }
    return out;
  }

  /** Keep no more rows (the labels turned out not to match the input), and drop those kept. */
  stop(): void {
    this.stopped = true;
    this.planes.clear();
    this.free.length = 0;
  }

  /** Rows before `y` are labelled: their rows go back to the pool. */
  done(y: number): void {
    this.nextRow = y;
    for (const rows of this.planes.values())
      for (const [row, kept] of rows)
        if (row < y) {
          rows.delete(row);
          this.free.push(kept.data);
        }
  }
}
