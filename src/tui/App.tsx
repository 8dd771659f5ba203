import { ThemeProvider } from '@inkjs/ui';
import { useMemo } from 'react';
import type { EngineApi } from '../engine/api.js';
import type { Clock } from '../engine/core/clock.js';
import { NavigationProvider } from './context/navigation-context.js';
import { ServicesProvider } from './context/services-context.js';
import { SessionProvider } from './context/session-context.js';
import { Router } from './Router.js';
import { initialNavigation } from './navigation.js';
import { createTheme } from './theme.js';
import type { DomainValidator, TuiMode } from './types.js';

export interface AppProps {
  engine: EngineApi;
  clock: Clock;
  mode: TuiMode;
  validateDomain: DomainValidator;
  /** false under NO_COLOR: no colours or text attributes at all. */
  color: boolean;
  /** Told the exit code just before the UI exits (Ink's exit() carries it too). */
  onExit?: (code: number) => void;
}

/** Providers and the router; everything the tree needs arrives here as props, nothing is global. */
export function App({ engine, clock, mode, validateDomain, color, onExit }: AppProps) {
  const services = useMemo(() => ({ engine, clock, validateDomain, theme: createTheme(color) }), [engine, clock, validateDomain, color]);
  return (
    <ServicesProvider services={services}>
      <ThemeProvider theme={services.theme.ui}>
        <NavigationProvider {...(mode.kind === 'dashboard' && mode.setup ? { initial: { ...initialNavigation, stack: [{ screen: 'setup' }] } } : {})}>
          <SessionProvider mode={mode} {...(onExit ? { onExit } : {})}>
            <Router />
          </SessionProvider>
        </NavigationProvider>
      </ThemeProvider>
    </ServicesProvider>
  );
}
