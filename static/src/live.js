// One way to open a Socket.IO connection: WebSocket only, msgpack frames, same origin.
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

export function connect(namespace, options = {}) {
  return io(namespace, {
    transports: ['websocket'],
    parser: msgpackParser,
    withCredentials: true,
    ...options,
  });
}
