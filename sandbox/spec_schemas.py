"""Compiled, cached JSON-schema validators for the response bodies of each operation.

openapi-core resolves the spec through path objects on every call; for responses the
sandbox instead compiles each (operation, status) schema once with the same validator
class openapi-core uses for responses (openapi-schema-validator's OAS30ReadValidator,
with its format checker; see fast_validators for the enum shortcut) and validates the
body object the handler produced.
"""

import json
import threading

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .fast_validators import ReadValidator

UNDECLARED = object()


def _pointer(*parts):
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class ResponseSchemas:
    def __init__(self, spec, uri):
        self.spec = spec
        self.uri = uri
        resource = Resource.from_contents(spec, default_specification=DRAFT4)
        self.registry = Registry().with_resource(uri, resource)
        self.cache = {}
        self.lock = threading.Lock()

    def _resolve(self, node, where):
        """Follow local $refs; returns the node and the JSON-pointer parts of where it is."""
        while isinstance(node, dict) and "$ref" in node:
            where = [
                p.replace("~1", "/").replace("~0", "~")
                for p in node["$ref"].lstrip("#/").split("/")
            ]
            node = self.spec
            for part in where:
                node = node[part]
        return node, where

    def _entry(self, template, method, status):
        key = (template, method, status)
        entry = self.cache.get(key)
        if entry is not None:
            return entry
        operation = self.spec["paths"][template].get(method.lower()) or {}
        responses = operation.get("responses") or {}
        code = str(status) if str(status) in responses else "default"
        response, where = self._resolve(
            responses.get(code), ["paths", template, method.lower(), "responses", code]
        )
        if response is None:
            entry = (UNDECLARED, None)
        else:
            content = response.get("content") or {}
            validators = {}
            for media, media_obj in content.items():
                schema = (media_obj or {}).get("schema")
                if schema is None or media != "application/json":
                    validators[media] = None
                    continue
                ref = {"$ref": f"{self.uri}#/" + _pointer(*where, "content", media, "schema")}
                validators[media] = ReadValidator(
                    ref, registry=self.registry, format_checker=ReadValidator.FORMAT_CHECKER
                )
            entry = (code, validators)
        with self.lock:
            self.cache[key] = entry
        return entry

    def errors(self, template, method, status, mimetype, body, data):
        """Violations of the declared response; [] when the status is not declared."""
        code, validators = self._entry(template, method, status)
        if code is UNDECLARED:
            return []
        if not validators:
            return [] if not data else [f"{status} response must have no content"]
        if mimetype not in validators:
            return [
                (
                    f"Content for media type {mimetype!r} not found "
                    f"(declared: {', '.join(validators)})"
                )
            ]
        validator = validators[mimetype]
        if validator is None:
            return []
        if body is None:
            try:
                body = json.loads(data)
            except ValueError:
                return ["response body is not valid JSON"]
        out = []
        for err in validator.iter_errors(body):
            where = "/".join(str(p) for p in err.absolute_path) or "<body>"
            out.append(f"{where}: {err.message}")
            if len(out) >= 10:
                break
        return out
