/**
 * Saves on every change of what `snapshot` reads; the values as loaded are not a change. Returns the
 * function that stops it.
 *
 * Each change is written at once, not debounced: a debounced write still pending when the page
 * reloads is lost (the browser does not finish it during unload), a write already started is not, and
 * IndexedDB keeps writes in order.
 */
export function saveOnChange<T>(snapshot: () => T, save: (value: T) => unknown): () => void {
  return $effect.root(() => {
    let first = true;
    $effect(() => {
      const value = snapshot();
      if (first) {
        first = false;
        return;
      }
      void save(value);
    });
  });
}
