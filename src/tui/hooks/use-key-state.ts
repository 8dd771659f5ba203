import { useRef, useState, type MutableRefObject } from 'react';

/**
 * State that key handlers read: keys can arrive faster than renders ("j" then Enter in one burst), so a handler
 * reads the ref, which moves at once, while rendering uses the state. Returns [value, ref, set].
 */
export function useKeyState<T>(initial: T): [T, MutableRefObject<T>, (next: T) => void] {
  const [value, setValue] = useState(initial);
  const ref = useRef(initial);
  const set = (next: T): void => {
    ref.current = next;
    setValue(next);
  };
  return [value, ref, set];
}
