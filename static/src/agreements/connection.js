// The page's one live connection: the document's provider plus the room's other events
// (signature states), reported to the page as {online, saved} and named events.
import { AgreementProvider } from './provider.js'

export function connect (docId, ydoc, awareness, { onStatus, onSynced, onEvent }) {
  const provider = new AgreementProvider(docId, ydoc, { awareness })
  const report = () => onStatus({ online: provider.status === 'online', saved: provider.saved })
  provider.on('status', report)
  provider.on('saved', report)
  provider.on('synced', (synced) => synced && onSynced())
  provider.socket.on('states', (data) => onEvent('states', data))
  window.addEventListener('beforeunload', (event) => {
    if (!provider.saved) event.preventDefault()
  })
  report()
  return provider
}
