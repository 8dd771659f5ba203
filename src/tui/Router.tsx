import { useNavigation } from './context/navigation-context.js';
import { useSession } from './context/session-context.js';
import { useGlobalKeys } from './hooks/use-global-keys.js';
import { currentRoute } from './navigation.js';
import { DashboardScreen } from './screens/DashboardScreen.js';
import { DeployAddScreen } from './screens/DeployAddScreen.js';
import { DeployScreen } from './screens/DeployScreen.js';
import { DoctorScreen } from './screens/DoctorScreen.js';
import { ImportScreen } from './screens/ImportScreen.js';
import { IssueFormScreen } from './screens/IssueFormScreen.js';
import { IssueScreen } from './screens/IssueScreen.js';
import { IssueSummaryScreen } from './screens/IssueSummaryScreen.js';
import { LogScreen } from './screens/LogScreen.js';
import { OrderDetailScreen } from './screens/OrderDetailScreen.js';
import { OrderHistoryScreen } from './screens/OrderHistoryScreen.js';
import { SetupScreen } from './screens/setup/SetupScreen.js';

/** Shows the screen on top of the navigation stack; the issue command's summary, once known, replaces everything. */
export function Router() {
  const { nav } = useNavigation();
  const session = useSession();
  useGlobalKeys();
  if (session.finalCode !== undefined) return <IssueSummaryScreen code={session.finalCode} />;
  const route = currentRoute(nav);
  switch (route.screen) {
    case 'home':
      return session.mode.kind === 'issue' ? <IssueScreen /> : <DashboardScreen />;
    case 'order':
      return <OrderDetailScreen key={route.orderId} orderId={route.orderId} />;
    case 'log':
      return <LogScreen key={route.orderId ?? 'engine'} {...(route.orderId === undefined ? {} : { orderId: route.orderId })} />;
    case 'history':
      return <OrderHistoryScreen key={`${route.certName}/${route.orderId ?? ''}`} certName={route.certName} {...(route.orderId === undefined ? {} : { orderId: route.orderId })} />;
    case 'deploy':
      return <DeployScreen key={route.certName} certName={route.certName} />;
    case 'deploy-add':
      return <DeployAddScreen key={route.certName} certName={route.certName} />;
    case 'doctor':
      return <DoctorScreen key={route.certName ?? '*'} {...(route.certName === undefined ? {} : { certName: route.certName })} />;
    case 'import':
      return <ImportScreen />;
    case 'issue-form':
      return <IssueFormScreen {...(route.renew ? { renew: route.renew } : {})} />;
    case 'setup':
      return <SetupScreen />;
  }
}
