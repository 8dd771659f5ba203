import { createContext, useContext, type ReactNode } from 'react';
import type { EngineApi } from '../../engine/api.js';
import type { Clock } from '../../engine/core/clock.js';
import type { Theme } from '../theme.js';
import type { DomainValidator } from '../types.js';

/**
 * What every screen needs from outside the tree: the engine (snapshot + actions), the injected clock, the name
 * validator and the theme. Passed once at the root so no component reaches for a module singleton.
 */
export interface TuiServices {
  engine: EngineApi;
  clock: Clock;
  validateDomain: DomainValidator;
  theme: Theme;
}

const ServicesContext = createContext<TuiServices | undefined>(undefined);

export function ServicesProvider({ services, children }: { services: TuiServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): TuiServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() must be used inside <ServicesProvider> (see src/tui/App.tsx)');
  return services;
}

export function useTheme(): Theme {
  return useServices().theme;
}
