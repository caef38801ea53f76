"""The workflows of the monitoring app: requests.py (ЗДОИ), signals.py (АПК proposals and
signals), commitments.py (commitments and monitoring reports), and what they share in
common.py. Views call these; nothing else changes a status."""
