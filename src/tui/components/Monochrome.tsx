import { Transform } from 'ink';
import type { ReactNode } from 'react';
import { useTheme } from '../context/services-context.js';
import { stripStyles } from '../view-model/text.js';

/**
 * Removes the styling @inkjs/ui's inputs add on their own (an inverted cursor cell) when colour is off, so NO_COLOR
 * output carries no escape codes at all. With colour on it renders its children untouched.
 */
export function Monochrome({ children }: { children: ReactNode }) {
  const theme = useTheme();
  if (theme.color) return <>{children}</>;
  return <Transform transform={stripStyles}>{children}</Transform>;
}
