"""The tamper-evident log: RFC 9162 Merkle trees (``merkle``), C2SP signed notes (``note``),
tlog checkpoints (``checkpoint``) and the log's signing key (``keys``); the entries and tree
nodes live in the store (:mod:`stockade.store.log`)."""
