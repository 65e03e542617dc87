// One way to open a Socket.IO connection: WebSocket only, msgpack frames, same origin. Each one is noted
// on window (every page script is its own bundle), so here.js knows whether the page has one already.
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

export function connect(namespace, options = {}) {
  const socket = io(namespace, {
    transports: ['websocket'],
    parser: msgpackParser,
    withCredentials: true,
    ...options,
  });
  window.commonGroundSockets = (window.commonGroundSockets || 0) + 1;
  return socket;
}
