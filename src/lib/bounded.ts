// Small in-process caches: a Map kept in insertion order, so its first key is the oldest.

/** Sets `key` in `map` and, when the map then holds more than `max` entries, drops the oldest ones. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) return;
    map.delete(oldest);
  }
}

/**
 * The promise cached under `key`, or `build()`'s, cached (at most `max` entries, oldest dropped) until it fails: a
 * failed build is not kept, so the next call tries again.
 */
export function memoBounded<K, V>(cache: Map<K, Promise<V>>, key: K, max: number, build: () => Promise<V>): Promise<V> {
  let hit = cache.get(key);
  if (!hit) {
    hit = build();
    hit.catch(() => cache.delete(key));
    setBounded(cache, key, hit, max);
  }
  return hit;
}
