"""The HTTP service: a router per resource (api/routers) over the read side (reader) and the write
side (pipeline), with their dependencies (deps), request and response schemas (schemas), and the
researchers' page (web/)."""
