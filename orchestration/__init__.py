"""The Dagster code location of valuemap: `dagster dev -m orchestration.definitions`."""
