// The page's one live connection: the document's provider, plus news from the document's room.
import { AgreementProvider } from './provider.js';
import { connect as openSocket } from '../live.js';

// The browser's msgpack encoder writes an ArrayBuffer as binary but a Uint8Array as a plain map,
// and an absent acknowledgement callback as an extra argument: every byte array leaves as a tight
// ArrayBuffer copy, and trailing undefined arguments are dropped.
function binarySafe(socket) {
  const emit = socket.emit.bind(socket);
  socket.emit = (event, ...args) => {
    while (args.length && args[args.length - 1] === undefined) args.pop();
    return emit(event, ...args.map((arg) => (arg instanceof Uint8Array ? arg.slice().buffer : arg)));
  };
  return socket;
}

export function connect(docId, ydoc, awareness, { onStatus, onSynced, onStates, onError }) {
  const socket = binarySafe(openSocket('/agreements'));
  const provider = new AgreementProvider(docId, ydoc, { awareness, socket });
  const report = () => onStatus({ online: provider.status === 'online', saved: provider.saved });
  provider.on('status', report);
  provider.on('saved', report);
  provider.on('synced', (synced) => synced && onSynced());
  provider.on('error', onError);
  socket.on('states', (data) => data?.doc === docId && onStates());
  report();
  return provider;
}
