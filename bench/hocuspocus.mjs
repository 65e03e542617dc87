// Hocuspocus with its default in-memory store, for the side-by-side benchmark (installed by install-peers.sh).
// Usage: node bench/hocuspocus.mjs <port>
import { Server } from './peers/node_modules/@hocuspocus/server/dist/hocuspocus-server.esm.js';

const server = new Server({ port: Number(process.argv[2]), address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write('listening\n');
