/**
 * Byte offsets of a device's registers in its MMIO range, as its driver sees them. A DMA is
 * described in the DMA_* registers and started by a write to DOORBELL_DMA; STATUS counts the jobs
 * the device has finished (any kind), so a driver polls it until it passes the job it started.
 */
export const Reg = {
  /** Write: start the DMA the DMA_* registers describe. */
  DOORBELL_DMA: 0x00,
  /** Host buffer: a virtual address of the process (the driver pinned it; the device has its page list). */
  DMA_HOST: 0x08,
  /** Offset in device memory. */
  DMA_DEVICE: 0x10,
  /** Bytes to copy. */
  DMA_BYTES: 0x18,
  /** DMA_D2H | DMA_NO_SNOOP. */
  DMA_FLAGS: 0x20,
  /** Read: jobs the device has finished. */
  STATUS: 0x40,
  /** Write: do `value` ns of internal work, then count a finished job. */
  DOORBELL_WORK: 0x80,
  /** Write: write a 64-byte answer at ECHO_ADDR in host memory, then count a finished job. */
  DOORBELL_ECHO: 0xc0,
  /** The host mailbox the echo is written to (a virtual address of the process). */
  ECHO_ADDR: 0xc8,
} as const;

/** DMA_FLAGS bit: device to host (else host to device). */
export const DMA_D2H = 1;
/** DMA_FLAGS bit: the copy does not snoop the host's caches (non-coherent DMA). */
export const DMA_NO_SNOOP = 2;
