"""kume's shared core: the document schema, the document store and configuration.

Every stage (crawler, nlp, search_api) imports this package and nothing else of
each other's internals: data flows crawl -> store -> extract -> index -> serve.
"""

__version__ = "0.1.0"
