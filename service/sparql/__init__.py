"""The SPARQL 1.1 Protocol endpoint: request parsing, safety checks, bounded evaluation, result formats."""
