from collections.abc import Iterator

import httpx
import pytest

from demo_site.server import serve_demo_site


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with serve_demo_site() as url:
        yield url


@pytest.fixture(scope="session")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http
