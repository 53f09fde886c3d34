/**
 * Progress throttling: posting a message per chunk would flood the main
 * thread; one per interval keeps the UI live at no cost (docs/performance.md,
 * "The main thread": no long task with 50 ms progress posts).
 */

/** A throttled callback; `flush` delivers the last pending value at once. */
export interface Throttled<T> {
  (value: T): void;
  flush(): void;
}

/** Calls `callback` at most once per `intervalMs`, always with the latest value. */
export function throttle<T>(callback: (value: T) => void, intervalMs: number): Throttled<T> {
  let last = 0;
  let pending: { value: T } | null = null;
  const throttled = ((value: T) => {
    const now = Date.now();
    if (now - last >= intervalMs) {
      last = now;
      pending = null;
      callback(value);
    } else {
      pending = { value };
    }
  }) as Throttled<T>;
  throttled.flush = () => {
    if (pending) callback(pending.value);
    pending = null;
  };
  return throttled;
}
