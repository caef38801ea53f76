"""Forms of the monitoring app, one module per part: requests.py, signals.py, commitments.py,
reports.py; what they share is in common.py."""
