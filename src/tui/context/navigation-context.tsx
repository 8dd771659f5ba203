import { createContext, useContext, useReducer, type Dispatch, type ReactNode } from 'react';
import { initialNavigation, navigationReducer, type NavigationAction, type NavigationState } from '../navigation.js';

interface NavigationContextValue {
  nav: NavigationState;
  dispatch: Dispatch<NavigationAction>;
}

const NavigationContext = createContext<NavigationContextValue | undefined>(undefined);

export function NavigationProvider({ children, initial = initialNavigation }: { children: ReactNode; initial?: NavigationState }) {
  const [nav, dispatch] = useReducer(navigationReducer, initial);
  return <NavigationContext.Provider value={{ nav, dispatch }}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): NavigationContextValue {
  const value = useContext(NavigationContext);
  if (!value) throw new Error('useNavigation() must be used inside <NavigationProvider> (see src/tui/App.tsx)');
  return value;
}
