from tests.rhythm.servers import bad_hook, good_hook, smtp  # noqa: F401 (fixtures)
