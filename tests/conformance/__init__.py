"""Conformance of the simulator's DaaS and resource-location exchanges (and of the collection's requests)
to the vendor OpenAPI files in ``../shared/specs``: :mod:`.spec` (loading, and the one place where the
specs' conversion artefacts, current enums and nulls are handled), :mod:`.mapping` (the API's paths to the
spec's), :mod:`.validator` (openapi-core and jsonschema-rs), :mod:`.plugin` (the pytest side)."""
