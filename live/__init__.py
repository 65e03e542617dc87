"""The live plumbing shared by every Socket.IO namespace: telling the couple (sockets.announce), socket bookkeeping
and revocation (sockets), the base namespace and the one refusal format (namespace), per-socket rate limits (rate),
and fair reading of WebSockets under gevent (fair_reading). It knows nothing of any feature."""
