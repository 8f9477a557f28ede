"""Destructive actions ask first, on a page of their own (issue 18; no JavaScript confirm())."""
from django.shortcuts import render


def confirm_step(request, *, title: str, subject: str, effects: list[str], confirm_label: str, cancel_url: str):
    """The confirmation page of a destructive action, or None once the user pressed its button (POST confirm=1).

    A GET, or a POST without confirm=1 (an old form, a double click), only shows what will happen.
    """
    if request.method == "POST" and request.POST.get("confirm") == "1":
        return None
    return render(request, "core/confirm.html", {
        "title": title, "subject": subject, "effects": effects, "confirm_label": confirm_label,
        "cancel_url": cancel_url, "action_url": request.path,
    })
