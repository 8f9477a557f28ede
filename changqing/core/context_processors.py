from . import nav


def shell(request):
    user = getattr(request, "user", None)
    large = elder = False
    if user is not None and user.is_authenticated:
        elder = user.elder_mode is True
        large = user.large_text or elder  # 长辈版 is the largest layout
    else:
        large = request.COOKIES.get("large_text") == "1"
    return {
        "nav_groups": nav.groups_for(user, getattr(getattr(request, "resolver_match", None), "view_name", "") or "")
        if user is not None else [],
        "large_text": large,
        "elder_mode": elder,
        "product_name": "常青",
    }
