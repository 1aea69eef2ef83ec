"""Offline batch evaluation of factuality."""
