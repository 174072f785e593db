/** czmodel's host byte on this machine: 0x00 on Windows, 0x03 elsewhere. Node only. */
export function defaultHostByte(): 0x00 | 0x03 {
  return process.platform === "win32" ? 0x00 : 0x03;
}
