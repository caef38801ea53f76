"""The workflows of the monitoring app: requests.py (ЗДОИ; its notices and daily check in
request_notices.py), signals.py (АПК proposals and signals), commitments.py (commitments and
monitoring reports), and what they share in common.py. Views call these; nothing else changes
a status."""
