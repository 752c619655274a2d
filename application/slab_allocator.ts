/** Size of the slabs small batches are carved from; bigger batches get a buffer of their own. */
const SLAB_BYTES = 16 * 1024;

/** Returns a fresh, zeroed buffer of `size` bytes that the caller may keep. */
export type Allocate = (size: number) => Uint8Array;

/** A new ArrayBuffer per batch costs about a microsecond (its backing store is allocated outside the heap). */
export const allocateEach: Allocate = (size) => new Uint8Array(size);

/**
 * An allocator that carves small buffers out of shared slabs, so a stream of one-line batches (the
 * real CLI prints a line at a time) does not pay for one ArrayBuffer each. A region is handed out once and
 * never written again by the allocator, so a chunk still queued for the socket, or retained by an event log,
 * is never changed; a slab is freed when its last region is.
 * @param slabBytes the slab size; requests above a quarter of it are allocated on their own
 */
export function slabAllocator(slabBytes: number = SLAB_BYTES): Allocate {
  let slab = new Uint8Array(0);
  let used = 0;
  return (size) => {
    if (size > slabBytes >> 2) return new Uint8Array(size);
    if (used + size > slab.length) {
      slab = new Uint8Array(slabBytes);
      used = 0;
    }
    const out = slab.subarray(used, used + size);
    used += size;
    return out;
  };
}
