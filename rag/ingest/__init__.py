"""Turning files into citable chunks and image cases."""
