"""Flit demo."""
