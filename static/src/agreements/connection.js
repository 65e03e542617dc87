// The page's one live connection: the document's provider, plus news from the document's room.
import { AgreementProvider } from './provider.js'

export function connect (docId, ydoc, awareness, { onStatus, onSynced, onStates, onError }) {
  const provider = new AgreementProvider(docId, ydoc, { awareness })
  const report = () => onStatus({ online: provider.status === 'online', saved: provider.saved })
  provider.on('status', report)
  provider.on('saved', report)
  provider.on('synced', (synced) => synced && onSynced())
  provider.on('error', onError)
  provider.socket.on('states', (data) => data?.doc === docId && onStates())
  window.addEventListener('beforeunload', (event) => {
    if (!provider.saved) event.preventDefault()
  })
  report()
  return provider
}
