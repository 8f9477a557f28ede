from . import nav


def shell(request):
    user = getattr(request, "user", None)
    large = False
    if user is not None and user.is_authenticated:
        large = user.large_text
    else:
        large = request.COOKIES.get("large_text") == "1"
    return {
        "nav_groups": nav.groups_for(user, getattr(getattr(request, "resolver_match", None), "view_name", "") or "")
        if user is not None else [],
        "large_text": large,
        "product_name": "常青",
    }
