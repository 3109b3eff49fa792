"""Clusterfy Discord bot: cogs, user history and the entry point."""
