"""Subtree queries: the one way to say "this organisation and everything under it".

An organisation's `path` is its ancestors' codes and its own, each ending in "/"
("/YS/YS-B03/"), so a subtree is a prefix match on it. Every app asks through
`in_subtree` instead of writing the prefix lookup itself, so the encoding of the
tree lives in one place (here and orgs.models.Organization).
"""
from django.db.models import Q


def in_subtree(path: str, via: str = "", *, path_field: str = "") -> Q:
    """Records under the organisation at `path` (that organisation included).

    via: the relation from the queried model to an Organization ("organization",
    "retiree__organization"; "" when the queried model is Organization itself).
    path_field: instead, a stored path string on the model (a change log's org_path).
    """
    lookup = path_field or (f"{via}__path" if via else "path")
    return Q(**{f"{lookup}__startswith": path})
