"""Scrapy spiders of the crawler: one generic spider driven by the source registry."""
