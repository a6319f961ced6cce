// Small in-process caches: a Map kept in insertion order, so its first key is the oldest.

/** Sets `key` in `map` and, when the map then holds more than `max` entries, drops the oldest ones. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= max) return;
    map.delete(oldest);
  }
}
