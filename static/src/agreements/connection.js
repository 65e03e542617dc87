// The page's one live connection: the document's provider over the relay (its address comes from the page).
import { AgreementProvider } from './provider.js';

export function connect(docId, ydoc, awareness, { url, onStatus, onSynced, onStates, onError }) {
  const provider = new AgreementProvider(docId, ydoc, { awareness, url });
  const report = () => onStatus({ online: provider.status === 'online', saved: provider.saved });
  provider.on('status', report);
  provider.on('saved', report);
  provider.on('synced', (synced) => synced && onSynced());
  provider.on('error', onError);
  provider.on('states', onStates);
  report();
  return provider;
}
