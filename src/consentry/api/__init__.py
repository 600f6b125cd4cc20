"""JSON routes. Thin: parse, call a service, shape the answer."""
