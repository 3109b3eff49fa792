"""What a fitted model leaves on disk, and how a process gets it back.

``format`` names the artifact format (its version is in every cache file name);
``serving`` writes, checks and maps the ``.npy`` serving arrays every process shares;
``columns`` keeps text as flat arrays so it can be mapped too; ``artifact`` saves and
loads a model with those arrays and a checksum record; ``model_cache`` loads the
configured model or builds one from a catalog and caches it.
"""
