"""Pydantic request and response models: the OpenAPI contract of the service, with examples.

Response models allow extra fields, so a field the library adds reaches callers before it is documented.
"""
