"""The relay: the agreements documents' live channel as plain WebSockets, speaking the y-websocket protocol.

`python -m relay` serves `/agreements/<document id>`; see README's "agreements wire protocol".
"""
