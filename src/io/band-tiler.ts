/**
 * Turns the bands an `ImageSink` receives (full-width rows, top to bottom, plane after plane)
 * into complete rows of `tileHeight` (the PNG sink takes them one image row at a time) and
 * checks the band protocol (plane order, no gaps or overlaps, sample type and length).
 * Memory: at most one tile row of one plane; a band that covers whole tile rows is passed on
 * without copying. Chunked formats take rectangles in any order instead (`chunk-grid.ts`).
 * Isomorphic.
 */
import { invalidArgument } from "../errors.js";
import { allocSamples, planeIndices, type PlaneIndex, type PlaneSizes, type SampleArray, type SampleType } from "./types.js";

export interface TileRow {
  plane: PlaneIndex;
  /** Position of `plane` in the canonical (scene, t, c, z) order. */
  planeOrdinal: number;
  /** Index of the tile row: rows `[tileRow × tileHeight, … + rows)`. */
  tileRow: number;
  y: number;
  /** Image rows in this tile row (`tileHeight`, less at the bottom edge). */
  rows: number;
  /** `rows × width × samplesPerPixel` samples, row-major, samples interleaved. */
  data: SampleArray;
}

export interface BandLayout {
  width: number;
  height: number;
  samplesPerPixel: number;
  sampleType: SampleType;
  sizes: PlaneSizes;
}

const WHERE = "ImageSink.writeBand";

export class BandTiler {
  private readonly planes: PlaneIndex[];
  private planeOrdinal = 0;
  private nextY = 0;
  private buffer: SampleArray | undefined;
  private bufferRows = 0;
  private readonly rowLength: number;
  private readonly arrayType: new (
    length: number,
  ) => SampleArray;

  constructor(
    private readonly layout: BandLayout,
    private readonly tileHeight: number,
    private readonly onTileRow: (row: TileRow) => Promise<void>,
  ) {
    this.planes = [...planeIndices(layout.sizes)];
    this.rowLength = layout.width * layout.samplesPerPixel;
    this.arrayType = allocSamples(layout.sampleType, 0).constructor as new (length: number) => SampleArray;
  }

  /** True once every row of every plane has been written. */
  get complete(): boolean {
    return this.planeOrdinal >= this.planes.length;
  }

  /** How far the writer got, for messages. */
  describeProgress(): string {
    const p = this.planes[this.planeOrdinal];
    return p
      ? `plane ${this.planeOrdinal + 1} of ${this.planes.length} (scene ${p.scene}, t ${p.t}, c ${p.c}, z ${p.z}) at row ${this.nextY}`
      : "complete";
  }

  async writeBand(plane: PlaneIndex, y: number, rows: number, data: SampleArray): Promise<void> {
    const expected = this.planes[this.planeOrdinal];
    if (!expected) throw invalidArgument("band after the last plane was complete", { where: WHERE });
    if (plane.scene !== expected.scene || plane.t !== expected.t || plane.c !== expected.c || plane.z !== expected.z) {
      throw invalidArgument(
        `band for plane (scene ${plane.scene}, t ${plane.t}, c ${plane.c}, z ${plane.z}) but plane (scene ${expected.scene}, t ${expected.t}, c ${expected.c}, z ${expected.z}) is not complete`,
        { where: WHERE },
      );
    }
    if (y !== this.nextY) throw invalidArgument(`band starts at row ${y}, expected row ${this.nextY}`, { where: WHERE });
    if (!Number.isInteger(rows) || rows <= 0 || y + rows > this.layout.height) {
      throw invalidArgument(`band of ${rows} rows at row ${y} does not fit an image of ${this.layout.height} rows`, { where: WHERE });
    }
    if (!(data instanceof this.arrayType)) {
      throw invalidArgument(`band samples are a ${data.constructor.name}, expected ${this.layout.sampleType}`, { where: WHERE });
    }
    if (data.length !== rows * this.rowLength) {
      throw invalidArgument(`band has ${data.length} samples, expected ${rows} × ${this.rowLength}`, { where: WHERE });
    }

    let done = 0;
    while (done < rows) {
      const rowY = y + done;
      const tileRow = Math.floor(rowY / this.tileHeight);
      const tileRowEnd = Math.min((tileRow + 1) * this.tileHeight, this.layout.height);
      const needed = tileRowEnd - rowY;
      if (this.bufferRows === 0 && rowY === tileRow * this.tileHeight && rows - done >= needed) {
        // A whole tile row inside this band: pass it on without copying.
        const view = data.subarray(done * this.rowLength, (done + needed) * this.rowLength);
        await this.emit(tileRow, rowY, needed, view);
        done += needed;
        continue;
      }
      const take = Math.min(rows - done, needed);
      this.buffer ??= allocSamples(this.layout.sampleType, this.tileHeight * this.rowLength);
      this.buffer.set(data.subarray(done * this.rowLength, (done + take) * this.rowLength), this.bufferRows * this.rowLength);
      this.bufferRows += take;
      done += take;
      if (take === needed) {
        const start = tileRow * this.tileHeight;
        const filled = this.bufferRows;
        this.bufferRows = 0;
        await this.emit(tileRow, start, filled, this.buffer.subarray(0, filled * this.rowLength));
      }
    }
    this.nextY = y + rows;
    if (this.nextY === this.layout.height) {
      this.planeOrdinal += 1;
      this.nextY = 0;
    }
  }

  private async emit(tileRow: number, y: number, rows: number, data: SampleArray): Promise<void> {
    const plane = this.planes[this.planeOrdinal]!;
    await this.onTileRow({ plane, planeOrdinal: this.planeOrdinal, tileRow, y, rows, data });
  }
}
