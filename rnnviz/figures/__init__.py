"""Plotly figure builders. Pure functions from results to figures, so they can be tested without a browser."""
