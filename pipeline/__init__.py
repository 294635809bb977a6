"""The write side, in one place: crawl → store → extract → link → index, for the CLI and the API alike.

`Writer` runs each stage over the store (what `kume crawl`, `kume extract` and `kume index` do) and
the flows that take only what they touched through the later stages: ingest of one URL or text, and
a crawl of one source (`jobs.CrawlJobs` runs those in the background for the API). The stages
themselves stay in their packages: crawler/ fetches, nlp/ extracts and decides project identity,
search_api/ indexes; this package decides what runs, on which documents, in which order.
"""
