"""kume's own Scrapy signal: a crawl event (crawler.events.CrawlEvent) that no item carries.

The spider sends it for pages it decides not to fetch or could not fetch (skipped, not modified,
disallowed, failed); items report themselves through Scrapy's item signals. The EventStream
extension turns both into the events the parent process reads.
"""

crawl_event = object()
