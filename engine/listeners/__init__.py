"""What Clusterfy does for one listener (or a few): taste from 👍/👎, "for you" picks,
co-likes, feedback shaping, playlists in a smooth order, and journeys between two songs.

Pure numpy over the recommender's arrays; the engine's facade (engine.service) turns
ids into indices and the results into Songs.
"""
