"""Abuse limits for routes anyone can reach, counted in the database so every process shares them."""
