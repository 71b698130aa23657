from tests.rhythm.servers import smtp  # noqa: F401 (fixture)
