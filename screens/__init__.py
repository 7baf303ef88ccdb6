"""Textual screens: what the clerk sees. They call services in workers and never write SQL."""
