"""{% two_factor_admin target %} on a user's page: whether they have two-factor, and the reset button."""
from django import template

from changqing.accounts import twofactor

register = template.Library()


@register.inclusion_tag("accounts/_two_factor_admin.html", takes_context=True)
def two_factor_admin(context, target):
    request = context["request"]
    return {
        "target": target, "csrf_token": context.get("csrf_token"), "enabled": twofactor.has_device(target),
        "required": twofactor.is_required(target), "own": target.pk == request.user.pk,
    }
