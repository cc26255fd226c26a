/** Bandwidth per direction of a parallel link, in bytes per ns: width x clock x transfers per clock. */
export function linkBandwidthBytesPerNs(widthBits: number, clockGHz: number, transfersPerClock: number): number {
  return (widthBits / 8) * clockGHz * transfersPerClock;
}
