"""Health check, /id → /doc redirects and item documents."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, url_for

from registry.describe import describe_item
from registry.namespaces import REGISTERS
from registry.rdfio import FORMATS, serialize

from .problems import problem

bp = Blueprint("linked_data", __name__)

SUFFIXES = {".ttl": "turtle"}


def _store():
    return current_app.extensions["ldr.store"]


@bp.get("/health")
def health():
    try:
        _store().ask("ASK { }")
    except Exception as exc:  # noqa: BLE001 - any store failure means unhealthy
        return problem(503, "Store unavailable", f"The store did not answer: {exc}")
    return jsonify({"status": "ok"})


@bp.get("/id/<register>/<reference>")
def item_id(register: str, reference: str):
    if register not in REGISTERS:
        return _unknown_register(register)
    return redirect(url_for(".item_doc", register=register, reference=reference), code=303)


@bp.get("/doc/<register>/<reference>")
def item_doc(register: str, reference: str):
    if register not in REGISTERS:
        return _unknown_register(register)
    fmt = FORMATS["turtle"]
    for suffix, name in SUFFIXES.items():
        if reference.endswith(suffix):
            reference, fmt = reference[: -len(suffix)], FORMATS[name]
    graph = describe_item(_store(), current_app.extensions["ldr.model"], register, reference)
    if graph is None:
        return problem(404, "Not registered",
                        f"There is no {register} record with the reference {reference!r}. "
                        f"Check the address, or browse the register at /{register}.")
    return Response(serialize(graph, fmt), mimetype=fmt.media_type)


def _unknown_register(register: str) -> Response:
    return problem(404, "No such register",
                    f"{register!r} is not a register. The registers are: {', '.join(REGISTERS)}.")
