"""medcite HTTP service (FastAPI)."""
