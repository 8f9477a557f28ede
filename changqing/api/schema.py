"""OpenAPI post-processing: the error answers every operation can give, declared (issue 17).

drf-spectacular documents the success answer of each operation; the API also answers 400 (a bad
parameter or body, with messages per field), 401/403 (not logged in, not allowed), 404 (no such
record in the user's scope, a page past the end), 409 (the record changed since it was read) and
503 (the database away for a moment, core/faults.py). Declared here once for every operation, so
clients and the schemathesis run (tests/test_api_schemathesis.py) know them.
"""
from __future__ import annotations

DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
FIELD_ERRORS = {"$ref": "#/components/schemas/FieldErrors"}

COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "一条中文说明",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "按字段列出的中文错误说明（或 detail 一条说明）",
        "additionalProperties": True,
    },
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def declare_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _json("参数或提交的数据不正确", FIELD_ERRORS))
            responses.setdefault("401", _json("未登录或登录已过期", DETAIL))
            responses.setdefault("403", _json("无权进行此操作", DETAIL))
            responses.setdefault("404", _json("记录不存在或不在您的数据范围内", DETAIL))
            if method in WRITE_METHODS:
                responses.setdefault("409", _json("记录已被他人修改，请刷新后重试", FIELD_ERRORS))
            responses.setdefault("503", _json("数据库暂时无法连接，请稍后重试", DETAIL))
    return result
