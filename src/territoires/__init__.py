"""territoires: French territorial integration contracts (CTAIR, CTAI, PTAI) as typed data."""
