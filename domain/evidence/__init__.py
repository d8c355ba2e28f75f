"""Evidence anyone can verify (证据可自证): a Merkle tree over the audit log, signed checkpoints, proofs.

``merkle`` hashes and proves (RFC 6962 / RFC 9162), ``note`` signs and opens
checkpoints (the C2SP ``tlog-checkpoint`` text in a C2SP ``signed-note``),
``leaves`` says exactly which bytes each leaf is, and ``bundle`` checks an
evidence document's proof block offline.
"""
