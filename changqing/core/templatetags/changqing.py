from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def history_url(obj):
    ct = ContentType.objects.get_for_model(obj.__class__)
    return reverse("core:history", args=[ct.pk, obj.pk])
