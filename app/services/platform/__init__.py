"""The platform's reference data and upkeep: rounds, the taxonomy, site texts, backups and demo
data."""
