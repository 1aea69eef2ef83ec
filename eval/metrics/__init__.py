"""Scores per item and figures over items, each headline figure with a bootstrap interval."""
