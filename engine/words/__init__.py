"""Mood words: what people type after ``vibe``, and the songs that answer it.

``vocabulary`` is the table of words (each a place in the standardised audio space, with
its sources); ``mood_words`` reads what people type into those places (combinations,
negations, typos, a cluster's own name) and says a place in words; ``word_search`` finds
the songs nearest such a place.
"""
