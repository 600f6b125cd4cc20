"""HubSpot-compatible routes: Communication Preferences v3 and v4."""
