"""What people follow to hear of consultations (accounts.notifications): registered at start-up."""
