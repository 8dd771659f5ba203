import type { Overlay } from '../navigation.js';
import { CaPicker } from './CaPicker.js';
import { ConfirmCancel } from './ConfirmCancel.js';
import { ConfirmCancelDeploy } from './ConfirmCancelDeploy.js';
import { ConfirmRetryEarly } from './ConfirmRetryEarly.js';
import { ConfirmRemoveTarget } from './ConfirmRemoveTarget.js';
import { QuitPrompt } from './QuitPrompt.js';

/** The prompt shown in place of the key hints while an overlay is open (help takes the body instead). */
export function OverlayHost({ overlay, now }: { overlay: Exclude<Overlay, { kind: 'help' }>; now: number }) {
  switch (overlay.kind) {
    case 'confirm-cancel':
      return <ConfirmCancel orderId={overlay.orderId} now={now} />;
    case 'confirm-retry-early':
      return <ConfirmRetryEarly orderId={overlay.orderId} now={now} />;
    case 'confirm-cancel-deploy':
      return <ConfirmCancelDeploy certName={overlay.certName} />;
    case 'confirm-remove-target':
      return <ConfirmRemoveTarget certName={overlay.certName} targetId={overlay.targetId} label={overlay.label} />;
    case 'switch-ca':
      return <CaPicker orderId={overlay.orderId} />;
    case 'quit':
      return <QuitPrompt exitCode={overlay.exitCode} />;
  }
}
