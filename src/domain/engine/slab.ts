// Small typed arrays carved out of shared buffers. Every item gets a sentence vector and a score per goal
// unit; allocated one by one, each would be a separate off-heap buffer that the garbage collector tracks
// and frees on its own. Cut from a slab they are plain views: one buffer per SLAB_ELEMENTS numbers. A slab
// lives as long as any view of it, so slabs stay small (256 KiB for float64) to bound what one kept
// view can hold on to. Views start zero-filled, as a new typed array does.

const SLAB_ELEMENTS = 32 * 1024;

let f32 = new Float32Array(0);
let f32At = 0;
let f64 = new Float64Array(0);
let f64At = 0;

/** A zero-filled Float32Array of length n (a view of a shared slab). */
export function float32Array(n: number): Float32Array {
  if (f32At + n > f32.length) { f32 = new Float32Array(Math.max(n, SLAB_ELEMENTS)); f32At = 0; }
  const v = f32.subarray(f32At, f32At + n);
  f32At += n;
  return v;
}

/** A zero-filled Float64Array of length n (a view of a shared slab). */
export function float64Array(n: number): Float64Array {
  if (f64At + n > f64.length) { f64 = new Float64Array(Math.max(n, SLAB_ELEMENTS)); f64At = 0; }
  const v = f64.subarray(f64At, f64At + n);
  f64At += n;
  return v;
}
