/**
 * MS-DOS date/time fields of ZIP headers. czmodel (Python `zipfile.writestr`) stamps entries
 * with the local wall-clock time; DOS time has 2-second resolution and starts in 1980.
 * Isomorphic.
 */
import { invalidArgument } from "../errors.js";

/** The raw 16-bit DOS date and time as stored in a ZIP header. */
export interface DosDateTime {
  date: number;
  time: number;
}

/** A timestamp for a ZIP entry: a JS `Date` (its local wall-clock time is used) or raw DOS fields. */
export type ZipTimestamp = Date | DosDateTime;

/** DOS fields of a Date's local wall-clock time (seconds rounded down to even, as Python does). */
export function dateToDos(d: Date): DosDateTime {
  if (Number.isNaN(d.getTime())) throw invalidArgument("invalid date for a ZIP timestamp");
  const year = d.getFullYear();
  if (year < 1980 || year > 2107) {
    throw invalidArgument(`ZIP timestamps must be between 1980 and 2107, got ${year}`, { allowed: "a date in 1980..2107" });
  }
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
  };
}

/** A local-time Date from DOS fields. */
export function dosToDate(dos: DosDateTime): Date {
  const day = dos.date & 0x1f;
  const month = (dos.date >> 5) & 0x0f;
  const year = ((dos.date >> 9) & 0x7f) + 1980;
  const sec = (dos.time & 0x1f) * 2;
  const min = (dos.time >> 5) & 0x3f;
  const hour = (dos.time >> 11) & 0x1f;
  return new Date(year, Math.max(month, 1) - 1, Math.max(day, 1), hour, min, sec);
}

export function toDos(ts: ZipTimestamp): DosDateTime {
  return ts instanceof Date ? dateToDos(ts) : { date: ts.date & 0xffff, time: ts.time & 0xffff };
}
