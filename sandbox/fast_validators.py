"""Faster building blocks for openapi-core, with the same verdicts.

- ``enum``: jsonschema compares the instance with each member through a generic
  ``equal``; Xero's enums have up to 168 members (CurrencyCode, TaxType). For string
  instances, plain membership gives the same answer.
- openapi-core deep-copies the format checker for every schema validator it creates;
  the checker is never modified, so one instance is shared.
- A parameter's verdict depends only on the parameter's spec entry and its raw value, so
  valid (parameter, value) pairs are remembered (bounded).
"""

import threading
from typing import ClassVar

from jsonschema import validators as jsonschema_validators
from jsonschema._keywords import enum as _generic_enum
from openapi_core.validation.request.validators import V30RequestValidator
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator


def fast_enum(validator, enums, instance, schema):
    if isinstance(instance, str) and instance in enums:
        return
    yield from _generic_enum(validator, enums, instance, schema)


ReadValidator = jsonschema_validators.extend(OAS30ReadValidator, {"enum": fast_enum})
WriteValidator = jsonschema_validators.extend(OAS30WriteValidator, {"enum": fast_enum})


class SharedFormatCheckerFactory(SchemaValidatorsFactory):
    def get_format_checker(self, format_validators=None, extra_format_validators=None):
        if format_validators is None and extra_format_validators is None:
            return self.format_checker
        return super().get_format_checker(format_validators, extra_format_validators)


PARAM_MEMO_SIZE = 8192


class RequestValidator(V30RequestValidator):
    """openapi-core's OpenAPI 3.0 request validator with the faster pieces above."""

    schema_validators_factory = SharedFormatCheckerFactory(
        WriteValidator, format_checker=OAS30WriteValidator.FORMAT_CHECKER
    )
    _memo: ClassVar[dict] = {}
    _memo_lock = threading.Lock()

    def _get_param_or_header_and_schema(self, param_or_header, location, name=None):
        if "content" in param_or_header:
            return super()._get_param_or_header_and_schema(param_or_header, location, name)
        key_name = name or (param_or_header / "name").read_str()
        if hasattr(location, "getlist"):
            raw = tuple(location.getlist(key_name))
        else:
            raw = location.get(key_name)
        if not raw:
            return super()._get_param_or_header_and_schema(param_or_header, location, name)
        key = (id(self.spec), tuple(param_or_header.parts), key_name, raw)
        found = self._memo.get(key)
        if found is not None:
            return found
        result = super()._get_param_or_header_and_schema(param_or_header, location, name)
        with self._memo_lock:
            if len(self._memo) >= PARAM_MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = result
        return result
